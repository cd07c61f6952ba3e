// The only translation unit that defines Catch2's main (STYLE.md §12).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
