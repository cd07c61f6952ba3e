// The source of the OBJECT libraries that own a precompiled header (cmake/Pch.cmake): empty, and
// compiled without the header; CMake builds the header itself in a step of its own.
