#include "newsim/errors.hpp"
