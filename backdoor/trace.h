#include "trace/trace-backdoor.h"
