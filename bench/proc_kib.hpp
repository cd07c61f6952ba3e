// For the benchmark programs: one "Key:   N kB" value of a /proc file (/proc/self/status,
// /proc/self/smaps_rollup), -1 when absent. Header-only: each bench is its own program.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>

inline long kib(const char* file, const char* key)
{
    std::FILE* f = std::fopen(file, "r");
    char line[256];
    long value = -1;
    while (f != nullptr && std::fgets(line, sizeof line, f) != nullptr) {
        if (std::strncmp(line, key, std::strlen(key)) == 0) {
            value = std::strtol(line + std::strlen(key), nullptr, 10);
        }
    }
    if (f != nullptr) {
        std::fclose(f);
    }
    return value;
}
