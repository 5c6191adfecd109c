#include <pybind11/pybind11.h>

#include "common.hpp"
#include "newsim/errors.hpp"

namespace newsim::bindings {

namespace {

PyObject* make_error(py::module_& m, const char* name, std::initializer_list<PyObject*> bases,
                     const char* doc) {
  py::tuple b(bases.size());
  std::size_t i = 0;
  for (PyObject* base : bases) b[i++] = py::reinterpret_borrow<py::object>(base);
  const std::string qualified = std::string("newsim.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, b.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  m.add_object(name, py::reinterpret_borrow<py::object>(type));
  return type;
}

}  // namespace

void bind_errors(py::module_& m) {
  static PyObject* base = make_error(m, "NewsimError", {PyExc_Exception},
                                     "Base class of the errors newsim raises.");
  static PyObject* invalid = make_error(m, "InvalidArgumentError", {base, PyExc_ValueError},
                                        "A bad parameter or input value.");
  static PyObject* decode = make_error(m, "DecodeError", {invalid},
                                       "Bytes that are not valid UTF-8 (decode_error='strict').");
  static PyObject* model = make_error(m, "ModelFormatError", {invalid},
                                      "A model file that is corrupt, foreign or too new.");
  static PyObject* not_fitted =
      make_error(m, "NotFittedError", {invalid, PyExc_AttributeError},
                 "An estimator used before fit().");
  static PyObject* key = make_error(m, "KeyNotFoundError", {base, PyExc_KeyError},
                                    "A term or id that is not there.");
  static PyObject* index = make_error(m, "IndexOutOfRangeError", {base, PyExc_IndexError},
                                      "An index outside its range.");
  static PyObject* io = make_error(m, "NewsimIOError", {base, PyExc_OSError},
                                   "A file that cannot be opened, read or written.");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const DecodeError& e) {
      PyErr_SetString(decode, e.what());
    } catch (const ModelFormatError& e) {
      PyErr_SetString(model, e.what());
    } catch (const NotFittedError& e) {
      PyErr_SetString(not_fitted, e.what());
    } catch (const InvalidArgument& e) {
      PyErr_SetString(invalid, e.what());
    } catch (const KeyNotFound& e) {
      PyErr_SetString(key, e.what());
    } catch (const IndexOutOfRange& e) {
      PyErr_SetString(index, e.what());
    } catch (const IoError& e) {
      PyErr_SetString(io, e.what());
    }
  });
}

}  // namespace newsim::bindings
