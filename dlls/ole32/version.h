/* olecancel version, used by the version resource and the tests */
#define OLECANCEL_VERSION_STRING "0.1.0"
#define OLECANCEL_VERSION_BINARY 0,1,0,0
