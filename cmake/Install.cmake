# Install rules for vipd and the Debian package (packaging/CPack.cmake). Included once from the
# top-level CMakeLists.txt, after project(); place does not matter: the programs are installed
# by a call deferred to the end of the top-level directory, once their targets exist.
#
#   vipd                  sbin/                        vipctl      bin/
#   packaging/vipd.json   SYSCONFDIR/vipd/vipd.json    only when no such file exists yet
#   packaging/vipd.service  VIPD_INSTALL_UNITDIR/      docs, examples  share/doc/vipd/
#   docs/man/*.[1-8]      share/man/manN/ (gzipped when gzip is found)
#
# SYSCONFDIR follows GNUInstallDirs: /etc for CMAKE_INSTALL_PREFIX=/usr (how the package is
# built), PREFIX/etc for /usr/local, /etc/opt/NAME for /opt/NAME. The unit goes to
# /lib/systemd/system for /usr and PREFIX/lib/systemd/system otherwise (VIPD_INSTALL_UNITDIR
# overrides), with ExecStart pointing at the installed vipd and configuration. The paths are
# fixed at configure time: `cmake --install --prefix` moves the programs and docs only.
# Must not: build anything but the compressed man pages, or touch the running system.
include_guard(GLOBAL)
if(VIPD_FUZZ)
    return()
endif()

include(GNUInstallDirs)

get_filename_component(vipd_root "${CMAKE_CURRENT_LIST_DIR}" DIRECTORY)

if(NOT DEFINED VIPD_INSTALL_UNITDIR)
    if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
        set(VIPD_INSTALL_UNITDIR "/lib/systemd/system")
    else()
        set(VIPD_INSTALL_UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
    endif()
endif()
set(vipd_confdir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/vipd")

# ---- programs (deferred: cli/ defines the targets later in the configure run) ----------------
function(vipd_install_programs)
    if(TARGET vipd)
        install(TARGETS vipd RUNTIME DESTINATION "${CMAKE_INSTALL_SBINDIR}")
    endif()
    if(TARGET vipctl)
        install(TARGETS vipctl RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
    endif()
endfunction()
cmake_language(DEFER CALL vipd_install_programs)

# ---- the configuration: installed once, never overwritten (the package marks it a conffile) ----
install(CODE "
    set(vipd_conf \"\$ENV{DESTDIR}${vipd_confdir}/vipd.json\")
    if(EXISTS \"\${vipd_conf}\")
        message(STATUS \"Keeping: \${vipd_conf} (an existing configuration is never replaced)\")
    else()
        file(INSTALL DESTINATION \"${vipd_confdir}\" TYPE FILE
             PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
             FILES \"${vipd_root}/packaging/vipd.json\")
    endif()")

# ---- the systemd unit, its ExecStart pointing at where vipd is installed ---------------------
file(READ "${vipd_root}/packaging/vipd.service" vipd_unit)
string(REPLACE "/usr/sbin/vipd" "${CMAKE_INSTALL_FULL_SBINDIR}/vipd" vipd_unit "${vipd_unit}")
string(REPLACE "/etc/vipd/vipd.json" "${vipd_confdir}/vipd.json" vipd_unit "${vipd_unit}")
file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/packaging/vipd.service" CONTENT "${vipd_unit}"
     @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${vipd_root}/packaging/vipd.service")
install(FILES "${PROJECT_BINARY_DIR}/packaging/vipd.service"
        DESTINATION "${VIPD_INSTALL_UNITDIR}")

# ---- documentation and examples -----------------------------------------------------------------
file(GLOB vipd_docs CONFIGURE_DEPENDS "${vipd_root}/docs/*.md")
install(FILES "${vipd_root}/README.md" ${vipd_docs} DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${vipd_root}/examples/" DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")

# ---- man pages: docs/man/NAME.SECTION, gzipped as Debian policy §12.1 asks ----------------
file(GLOB vipd_man_pages CONFIGURE_DEPENDS "${vipd_root}/docs/man/*.[1-8]")
find_program(VIPD_GZIP gzip)
set(vipd_man_outputs "")
foreach(page IN LISTS vipd_man_pages)
    get_filename_component(name "${page}" NAME)
    string(REGEX REPLACE "^.*\\.([1-8])$" "\\1" section "${name}")
    if(VIPD_GZIP)
        set(out "${PROJECT_BINARY_DIR}/man/${name}.gz")
        add_custom_command(OUTPUT "${out}"
                           COMMAND ${CMAKE_COMMAND} -E make_directory "${PROJECT_BINARY_DIR}/man"
                           COMMAND ${VIPD_GZIP} -9 -n -c "${page}" > "${out}"
                           DEPENDS "${page}"
                           COMMENT "Compressing man page ${name}")
        list(APPEND vipd_man_outputs "${out}")
        install(FILES "${out}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${section}")
    else()
        install(FILES "${page}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${section}")
    endif()
endforeach()
if(vipd_man_outputs)
    add_custom_target(vipd_man ALL DEPENDS ${vipd_man_outputs})
endif()

include("${vipd_root}/packaging/CPack.cmake")
