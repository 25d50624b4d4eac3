#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bare crun containers (no engine: `crun spec`, `crun run -d`, a cgroupsPath
# of the test's own), audited by capaudit and compared with config.json and
# /proc/<pid>/status (CIS Docker Benchmark 5.4). Nothing names such a
# container but its state: capaudit reports runtime "unknown", id
# "pidns:<inode>", unless it reads that state: with the private state root at
# run/crun under --host-root, runtime "crun", the id and name the test gave,
# the configured set from crun's copy of the spec, or from the bundle's.
# crun 1.8.1 refuses a cgroup v1/v2 hybrid; there it runs inside `unshare -m`
# with an empty file bind-mounted over /sys/fs/cgroup/unified/cgroup.controllers.
#
#  default    `crun spec` caps (KILL, NET_BIND_SERVICE, AUDIT_WRITE) -> pass
#  docker14   docker's 14 defaults, NET_RAW included        -> fail, net-raw
#  minimal    NET_BIND_SERVICE only                         -> pass
#  sysadmin   the 14 plus SYS_ADMIN, minus NET_RAW  -> fail, cap-added SYS_ADMIN
# crun itself (gone after `run -d`) is never a container process, and
# `crun delete -f` removes the container's cgroups.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-oci.sh"

oci_main crun
