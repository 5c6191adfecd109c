# newsim: `make demo` to see it work (writes newsim-report.html), `make test` to run every test.
# scripts/setup.sh installs what is missing (apt only) and creates .venv.

PYTHON    := $(CURDIR)/.venv/bin/python
BUILD_DIR := $(CURDIR)/build
# pip must not reach out to PyPI: every dependency comes from Debian via the venv.
PIP_INSTALL := NEWSIM_CMAKE_BUILD_DIR=$(BUILD_DIR) $(PYTHON) -m pip install \
               --no-build-isolation --no-index --disable-pip-version-check .

.PHONY: all setup build install demo test sanitize clean distclean

all: build

setup:
	bash scripts/setup.sh

build: setup
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -U NEWSIM_PY_OUT \
	      -DPython_EXECUTABLE=$(PYTHON) -DNEWSIM_BUILD_TESTS=ON
	cmake --build build -j2

# Reuses the CMake tree in build/, so nothing compiles twice.
install: build
	$(PIP_INSTALL)

# The main job: the report on the bundled sample articles, in the terminal and as HTML.
demo: install
	$(CURDIR)/.venv/bin/newsim analyze data/seeds
	$(CURDIR)/.venv/bin/newsim analyze data/seeds --format html --output newsim-report.html

test: build
	ctest --test-dir build --output-on-failure
	$(PIP_INSTALL)
	$(PYTHON) -m pytest tests/python
	$(MAKE) sanitize

# ASan + UBSan build (clang) of the C++ tests and fuzz replays in build-asan/; part of test.
sanitize: setup
	bash scripts/sanitize.sh cpp

clean:
	rm -rf build dist *.egg-info python/*.egg-info python/newsim/_core*.so

distclean: clean
	rm -rf .venv
