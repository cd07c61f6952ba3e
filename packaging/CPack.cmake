# CPack settings for the vipd Debian package (included by cmake/Install.cmake). Build it with
#   cmake -S . -B build-deb -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
#         -DVIPD_TESTS=OFF -DVIPD_BENCH=OFF
#   cmake --build build-deb && (cd build-deb && cpack)      # -> build-deb/vipd_VERSION_ARCH.deb
# Depends are computed by dpkg-shlibdeps (package dpkg-dev; CPack also needs `file`), plus
# adduser. The maintainer scripts create the vipd user, never enable or start the service, and leave a
# running daemon alone on upgrade (packaging/postinst, prerm, postrm).
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "vipd: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; the Debian package "
                   "needs -DCMAKE_INSTALL_PREFIX=/usr (configuration in /etc, unit in "
                   "/lib/systemd/system)")
endif()

set(VIPD_PACKAGE_MAINTAINER "vipd maintainers <vipd@example.org>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "vipd")
set(CPACK_PACKAGE_VENDOR "vipd")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${VIPD_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "BGP speaker that announces service VIPs while their health checks pass")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGE_CHECKSUM "SHA256")

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${VIPD_PACKAGE_MAINTAINER}")
# The synopsis line comes from CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended text.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "vipd is a native BGP-4 speaker with integrated health checks for load balancers and
anycast service hosts. It announces each service VIP (for example 192.0.2.10/32) to the
routers while a rule over its checks (TCP, HTTP(S), exec, maintenance file, HAProxy
backend/frontend/server state) is up, and withdraws it, or announces it less preferred,
when it is not. It drains VIPs with GRACEFUL_SHUTDOWN (RFC 8326) before maintenance and
reads HAProxy ALOHA route health injection rules unchanged.
.
vipctl shows neighbors, VIPs and checks, explains why a VIP is (not) announced, and
drains, disables and reloads at run time.")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
# Library dependencies (libc6, libssl3...) from dpkg-shlibdeps, plus adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "haproxy")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/conffiles"
    "${CMAKE_CURRENT_LIST_DIR}/postinst"
    "${CMAKE_CURRENT_LIST_DIR}/prerm"
    "${CMAKE_CURRENT_LIST_DIR}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# `cpack --config CPackSourceConfig.cmake`: the sources without build trees or VCS data.
set(CPACK_SOURCE_GENERATOR "TXZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/\\\\.cache/" "~$")

include(CPack)
