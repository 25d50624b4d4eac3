#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bare runc containers (no engine: `runc spec`, `runc run -d`, a cgroupsPath
# of the test's own), audited by capaudit and compared with config.json and
# /proc/<pid>/status (CIS Docker Benchmark 5.4). Nothing names such a
# container but its state: capaudit reports runtime "unknown", id
# "pidns:<inode>", unless it reads that state: with the private state root at
# run/runc under --host-root, runtime "runc", the id and name the test gave.
#
#  default    `runc spec` caps (KILL, NET_BIND_SERVICE, AUDIT_WRITE) -> pass
#  docker14   docker's 14 defaults, NET_RAW included        -> fail, net-raw
#  minimal    NET_BIND_SERVICE only                         -> pass
#  sysadmin   the 14 plus SYS_ADMIN, minus NET_RAW  -> fail, cap-added SYS_ADMIN
# runc itself (gone after `run -d`) is never a container process, and
# `runc delete -f` removes the container's cgroups.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib-oci.sh"

oci_main runc
