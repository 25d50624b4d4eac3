# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034
# (SC2034: RUN_ID, RUN_ERR, HOSTILE_* are this library's results, read by
# tests/live/hostile.sh.)
# Helpers for tests/live/hostile.sh: real containers whose processes and
# cgroups carry names chosen to forge lines and fields, and strict parsers of
# every format capaudit writes. Sourced after lib.sh and lib-lxc.sh.
#
# Byte-exact work (what the kernel kept, capaudit's escaping rule, strict
# UTF-8) is done by a small perl program, written to LIVE_TMP by
# hostile_init: bash strings cannot hold every byte and $(...) drops
# trailing newlines, so names travel as hex digits between the helpers.

# ---------------------------------------------------------------------------
# The byte tool
# ---------------------------------------------------------------------------

HOSTILE_PL=

# hostile_init: named_init, then the byte tool.
hostile_init() {
	named_init
	# (Base system tools: without them the test cannot do its job.)
	local t
	for t in perl iconv unshare setpriv setsid; do
		command -v "$t" >/dev/null 2>&1 || hard_error "$t is not installed"
	done
	HOSTILE_PL=$LIVE_TMP/hostile.pl
	cat >"$HOSTILE_PL" <<'EOF'
# hostile.pl MODE ARGS: byte-exact helpers of tests/live/hostile.sh.
use strict;
use warnings;
binmode STDOUT;

# One valid UTF-8 sequence of 2 to 4 bytes (no overlong form, no surrogate,
# nothing above U+10FFFF): capaudit's esc_utf8_len.
my $U = qr/[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}/;

sub hx { my $s = ''; $s .= sprintf('\x%02x', ord $_) for split //, $_[0]; $s }

# capaudit's esc_text (src/esc.h), independently: C0, DEL, C1 and bytes that
# are not valid UTF-8 as \xHH, and a backslash before an x as \x5c.
sub esc {
	my ($s) = @_;
	my $o = '';
	pos($s) = 0;
	while (pos($s) < length $s) {
		if ($s =~ /\G\\(?=x)/gc)               { $o .= '\x5c' }
		elsif ($s =~ /\G([\x20-\x7e])/gc)      { $o .= $1 }
		elsif ($s =~ /\G(\xc2[\x80-\x9f])/gc)  { $o .= hx($1) }
		elsif ($s =~ /\G($U)/gc)               { $o .= $1 }
		else { $s =~ /\G(.)/gcs; $o .= hx($1) }
	}
	return $o;
}

# For messages: the unsafe bytes alone as \xHH (a backslash stays itself).
sub vis {
	my ($s) = @_;
	my $o = '';
	pos($s) = 0;
	while (pos($s) < length $s) {
		if ($s =~ /\G([\x20-\x7e]+)/gc)        { $o .= $1 }
		elsif ($s =~ /\G(\xc2[\x80-\x9f])/gc)  { $o .= hx($1) }
		elsif ($s =~ /\G($U)/gc)               { $o .= $1 }
		else { $s =~ /\G(.)/gcs; $o .= hx($1) }
	}
	return $o;
}

# The escapes busybox printf and dash printf both take: \NNN, \\, \n, \r, \t.
sub decode {
	my ($f) = @_;
	$f =~ s{\\([0-7]{1,3}|[\\nrt])}{
		my $c = $1;
		$c eq '\\' ? '\\' : $c eq 'n' ? "\n" : $c eq 'r' ? "\r" : $c eq 't' ? "\t" : chr(oct($c) & 0xff)
	}ge;
	return $f;
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or die "hostile.pl: $f: $!\n";
	local $/;
	my $s = <$fh>;
	return defined $s ? $s : '';
}

sub unhex { pack 'H*', $_[0] }

my $mode = shift @ARGV // '';
if ($mode eq 'fmt-hex') {		# FMT [MAX]: the bytes printf FMT writes
	my $s = decode($ARGV[0]);
	$s = substr($s, 0, $ARGV[1]) if defined $ARGV[1];
	print unpack('H*', $s), "\n";
} elsif ($mode eq 'str-hex') {		# STRING
	print unpack('H*', $ARGV[0]), "\n";
} elsif ($mode eq 'comm-hex') {	# PID: /proc/PID/comm without its newline
	(my $s = slurp("/proc/$ARGV[0]/comm")) =~ s/\n\z//;
	print unpack('H*', $s), "\n";
} elsif ($mode eq 'comms') {		# PID...: "PID HEX" of each that still runs
	for my $p (@ARGV) {
		my $s = eval { slurp("/proc/$p/comm") };
		next unless defined $s;
		$s =~ s/\n\z//;
		print "$p ", unpack('H*', $s), "\n";
	}
} elsif ($mode eq 'comms-esc') {	# PID...: "PID<TAB>comm, escaped" of each that still runs
	for my $p (@ARGV) {
		my $s = eval { slurp("/proc/$p/comm") };
		next unless defined $s;
		$s =~ s/\n\z//;
		print "$p\t", esc($s), "\n";
	}
} elsif ($mode eq 'argv0-hex') {	# PID: the first word of /proc/PID/cmdline
	my ($a) = split /\0/, slurp("/proc/$ARGV[0]/cmdline");
	print unpack('H*', defined $a ? $a : ''), "\n";
} elsif ($mode eq 'cgroup-hex') {	# PID: the path of the cgroup2 line
	my ($p) = grep { defined } map { /^0::(.*)\z/s ? $1 : undef } split /\n/, slurp("/proc/$ARGV[0]/cgroup");
	die "hostile.pl: no 0:: line in /proc/$ARGV[0]/cgroup\n" unless defined $p;
	print unpack('H*', $p), "\n";
} elsif ($mode eq 'esc') {		# HEX: as capaudit escapes it
	print esc(unhex($ARGV[0])), "\n";
} elsif ($mode eq 'json2raw') {	# "runtime<TAB>id<TAB>verdict" lines (ids escaped) to raw table rows
	while (my $l = <STDIN>) {
		chomp $l;
		my ($rt, $id, $v) = split /\t/, $l, -1;
		(my $b = $id) =~ s/\\x([0-9a-f]{2})/chr hex $1/ge;
		my $r = join('', map { /[\x21-\x5b\x5d-\x7e]/ ? $_ : hx($_) } split //, $b);
		$r = substr($r, 0, 12) if $r =~ /^[0-9a-f]{64}\z/;
		print "$rt $r \U$v\E\n";
	}
} elsif ($mode eq 'show') {		# HEX: readable in a message
	print vis(unhex($ARGV[0])), "\n";
} elsif ($mode eq 'clean') {		# FILE...: valid UTF-8, no control but \n; "FILE: where" else
	FILE: for my $f (@ARGV) {
		my $s = slurp($f);
		pos($s) = 0;
		while (pos($s) < length $s) {
			next if $s =~ /\G[\x0a\x20-\x7e]+/gc;
			next if $s =~ /\G(?!\xc2[\x80-\x9f])$U/gc;
			my $at = pos($s);
			my $line = 1 + (substr($s, 0, $at) =~ tr/\n//);
			my $from = rindex($s, "\n", $at - 1) + 1;
			my $to = index($s, "\n", $at);
			$to = length $s if $to < 0;
			printf "%s: an unsafe byte 0x%02x, line %d: %s\n", $f, ord(substr($s, $at, 1)), $line,
				vis(substr($s, $from, $to - $from > 300 ? 300 : $to - $from));
			next FILE;
		}
	}
} elsif ($mode eq 'vis') {		# standard input, unsafe bytes as \xHH (for messages)
	local $/;
	my $s = <STDIN>;
	print vis(defined $s ? $s : '');
} elsif ($mode eq 'show-file') {	# FILE: its first 300 bytes, unsafe ones as \xHH
	print vis(substr(slurp($ARGV[0]), 0, 300)), "\n";
} elsif ($mode eq 'prom-ids') {	# FILE: "runtime<TAB>id<TAB>verdict" of each verdict series
	for my $l (split /\n/, slurp($ARGV[0])) {
		next unless $l =~ /^capaudit_container_verdict\{(.*)\} 1$/;
		my %v;
		my $ls = $1;
		while ($ls =~ /\G([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\["\\n])*)",?/gc) {
			my ($k, $x) = ($1, $2);
			$x =~ s/\\(["\\n])/$1 eq 'n' ? "\n" : $1/ge;
			$v{$k} = $x;
		}
		print join("\t", map { defined $v{$_} ? $v{$_} : '?' } qw(runtime id verdict)), "\n";
	}
} else {
	die "hostile.pl: unknown mode '$mode'\n";
}
EOF
}

# hpl MODE ARGS...: run the byte tool.
hpl() {
	perl "$HOSTILE_PL" "$@"
}

# ---------------------------------------------------------------------------
# docker containers whose processes name themselves
# ---------------------------------------------------------------------------

# The script a container's sh -c runs, with printf formats (ASCII: docker's
# JSON API would turn invalid UTF-8 into U+FFFD) as arguments. For each, a
# process renames itself (its own comm) to what the format writes and, without
# exec, waits on a child sleep whose argv[0] is that name plus "/sleep"
# (busybox picks the applet by argv[0]'s last component). The first name is
# the container's pid 1's.
# shellcheck disable=SC2016
HOSTILE_CTR_SCRIPT='
become() {
	n=$(printf "$1"; echo .); n=${n%.}
	printf %s "$n" >/proc/self/comm
	{ exec -a "$n/sleep" sleep 1000; } &
}
first=$1
shift
for f in "$@"; do
	( become "$f"; wait ) &
done
become "$first"
wait
'

# hostile_docker_run TAG DOCKER-ARGS...: run HOSTILE_CTR_SCRIPT with the
# formats HOSTILE_FMTS from IMAGE, detached, --network=none. Sets RUN_ID, or
# returns non-zero with the runtime's error in RUN_ERR.
hostile_docker_run() {
	local tag=$1 name
	shift
	name=capaudit-live-$LIVE_SUFFIX-$tag
	LIVE_DOCKER_NAMES+=("$name")
	RUN_ID='' RUN_ERR=''
	if ! RUN_ID=$(docker_cmd run -d --network=none --name "$name" "$@" "$IMAGE" \
		sh -c "$HOSTILE_CTR_SCRIPT" sh "${HOSTILE_FMTS[@]}" 2>"$LIVE_TMP/run.err"); then
		RUN_ERR=$(tr -s '\n' ' ' <"$LIVE_TMP/run.err" | cut -c1-300)
		return 1
	fi
	RUN_ID=$(printf '%s' "$RUN_ID" | tail -n 1)
}

# hostile_docker_truth TAG: ID and PID of the container (docker inspect), and
# its processes' names once every one has renamed itself: PIDS (every pid of
# its cgroup) and NAMED_PIDS (the pid that holds each of HOSTILE_FMTS, in
# order), checked byte by byte against /proc/<pid>/comm (the kernel keeps 15
# bytes). hard_error where the kernel did not keep a name.
hostile_docker_truth() {
	local name=capaudit-live-$LIVE_SUFFIX-$1 out running dir i f p c want got found
	out=$(docker_cmd inspect --format '{{.Id}} {{.State.Pid}} {{.State.Running}}' "$name") ||
		hard_error "docker inspect $name failed"
	read -r ID PID running <<<"$out"
	[ "$running" = true ] && [ "$PID" -gt 0 ] ||
		hard_error "container $name is not running (docker inspect: $out)"
	dir=$(cgroup_dirs_of "$PID" | sed -n 1p)
	[ -n "$dir" ] || hard_error "no cgroup directory for pid $PID of $name"
	local wants=() comms=() kids=()
	for f in "${HOSTILE_FMTS[@]}"; do
		wants+=("$(hpl fmt-hex "$f" 15)")
	done
	# Each name is set by the process itself, after docker run returned.
	for i in $(seq 1 50); do
		mapfile -t PIDS < <(cgroup_procs_under "$dir")
		mapfile -t comms < <(hpl comms "${PIDS[@]}")
		NAMED_PIDS=()
		found=yes
		for want in "${wants[@]}"; do
			got=$(printf '%s\n' "${comms[@]}" | awk -v w="$want" '$2 == w { print $1; exit }')
			[ -n "$got" ] || found=no
			NAMED_PIDS+=("${got:-none}")
		done
		[ "$found" = yes ] && [ ${#PIDS[@]} -eq $((2 * ${#HOSTILE_FMTS[@]})) ] && break
		sleep 0.2
	done
	if [ "$found" != yes ]; then
		for p in "${PIDS[@]}"; do
			note "  pid $p comm $(hpl show "$(hpl comm-hex "$p" 2>/dev/null)")"
		done
		hard_error "$name: the kernel did not keep every name its processes chose (pids ${PIDS[*]}; holders ${NAMED_PIDS[*]})"
	fi
	note "docker $1: id $ID pid $PID processes ${PIDS[*]} CapBnd $(proc_cap "$PID" CapBnd)"
	# Each waits on a sleep whose command line starts with its whole name.
	for i in "${!HOSTILE_FMTS[@]}"; do
		p=${NAMED_PIDS[$i]}
		want=$(hpl fmt-hex "${HOSTILE_FMTS[$i]}")$(hpl str-hex /sleep)
		got=
		read -r -a kids <"/proc/$p/task/$p/children" || true
		for c in "${kids[@]}"; do
			[ "$(hpl argv0-hex "$c")" = "$want" ] && got=$c
		done
		[ -n "$got" ] || hard_error "$name: pid $p has no child sleep whose argv[0] is its name"
		note "  pid $p comm $(hpl show "$(hpl comm-hex "$p")"), child $got argv[0] $(hpl show "$(hpl argv0-hex "$got")")"
	done
}

# ---------------------------------------------------------------------------
# "LXC" containers named by their cgroup
# ---------------------------------------------------------------------------

HOSTILE_CGROUPS=()	# every cgroup directory this test created
HOSTILE_UNSHARE_PIDS=()
HOSTILE_INIT_PIDS=()

# hostile_cgroup_run NAME-HEX BOUNDING COMM: a process in a pid namespace of
# its own, moved into the cgroup lxc.payload.<NAME> of every hierarchy: the
# namespace's init (a shell; BOUNDING "all" keeps the test's capabilities,
# "none" drops every one, bounding and inheritable, first) renames itself to
# COMM and waits on a child sleep. Sets PID (the init, in the host's pid
# namespace) and MEMBERS (its pids).
hostile_cgroup_run() {
	local cg h dir procs=() up i pid=
	cg=lxc.payload.$(perl -e 'print pack("H*", $ARGV[0])' "$1")
	for h in $(cgroup_hierarchies); do
		dir=$h/$cg
		[ -e "$dir" ] && hard_error "cgroup $(hpl show "$(hpl str-hex "$dir")") exists already"
		mkdir "$dir" || hard_error "the kernel refused the cgroup $(hpl show "$(hpl str-hex "$dir")")"
		HOSTILE_CGROUPS+=("$dir")
		# A new v1 cpuset has no cpu and no memory node: nothing can join it.
		if [ -f "$dir/cpuset.cpus" ] && [ -z "$(cat "$dir/cpuset.cpus")" ]; then
			cat "$h/cpuset.cpus" >"$dir/cpuset.cpus" && cat "$h/cpuset.mems" >"$dir/cpuset.mems" ||
				hard_error "cannot set up the cpuset of $cg"
		fi
		procs+=("$dir/cgroup.procs")
	done
	local keep=()
	[ "$2" = none ] && keep=(setpriv --bounding-set=-all --inh-caps=-all --)
	# "echo 0" moves the writer itself. The init is not exec'd into sleep:
	# it keeps its hostile name.
	# shellcheck disable=SC2016
	setsid unshare --pid --fork --kill-child "${keep[@]}" sh -c '
		n=$1; shift
		for f in "$@"; do echo 0 >"$f" || exit 1; done
		printf %s "$n" >/proc/self/comm
		sleep 1000 &
		wait' sh "$3" "${procs[@]}" </dev/null >"$LIVE_TMP/unshare.out" 2>&1 &
	up=$!
	HOSTILE_UNSHARE_PIDS+=("$up")
	for i in $(seq 1 50); do
		pid=$(awk '{ print $1 }' "/proc/$up/task/$up/children" 2>/dev/null || true)
		if [ -n "$pid" ] && [ "$(hpl cgroup-hex "$pid" 2>/dev/null)" = "$(hpl str-hex "/$cg")" ]; then
			mapfile -t MEMBERS < <(cgroup_procs_under "${procs[0]%/cgroup.procs}")
			[ ${#MEMBERS[@]} -eq 2 ] && break
		fi
		kill -0 "$up" 2>/dev/null ||
			hard_error "unshare --pid --fork exited: $(tr -s '\n' ' ' <"$LIVE_TMP/unshare.out" | cut -c1-300)"
		sleep 0.1
	done
	[ -n "$pid" ] && [ ${#MEMBERS[@]} -eq 2 ] ||
		hard_error "the process of cgroup $(hpl show "$(hpl str-hex "$cg")") did not start: $(tr -s '\n' ' ' <"$LIVE_TMP/unshare.out" | cut -c1-300)"
	HOSTILE_INIT_PIDS+=("$pid")
	[ "$(nspid_inner "$pid")" = 1 ] || hard_error "pid $pid is not pid 1 of its own pid namespace"
	PID=$pid
}

# hostile_cgroup_cleanup: kill what runs in the test's cgroups, then remove
# them (named_cleanup runs it on every exit).
# shellcheck disable=SC2317
hostile_cgroup_cleanup() {
	local pids=() i d left=()
	# CAPAUDIT_LIVE_KEEP=DIR: keep capaudit's outputs there, for a look.
	if [ -n "${CAPAUDIT_LIVE_KEEP:-}" ] && [ -d "$LIVE_TMP/out" ]; then
		mkdir -p "$CAPAUDIT_LIVE_KEEP" && cp -r "$LIVE_TMP/out/." "$CAPAUDIT_LIVE_KEEP/"
	fi
	# The namespaces' inits: the kernel kills the rest of each namespace.
	[ ${#HOSTILE_INIT_PIDS[@]} -eq 0 ] || kill -KILL "${HOSTILE_INIT_PIDS[@]}" 2>/dev/null
	[ ${#HOSTILE_UNSHARE_PIDS[@]} -eq 0 ] || kill -TERM "${HOSTILE_UNSHARE_PIDS[@]}" 2>/dev/null
	for i in $(seq 1 50); do
		mapfile -t pids < <(cgroup_procs_under "${HOSTILE_CGROUPS[@]}")
		[ ${#pids[@]} -gt 0 ] || break
		[ "$i" -eq 1 ] || kill -KILL "${pids[@]}" 2>/dev/null
		sleep 0.1
	done
	[ ${#pids[@]} -eq 0 ] || printf 'warning: processes survived in the test cgroups: %s\n' "${pids[*]}" >&2
	for i in "${HOSTILE_UNSHARE_PIDS[@]}"; do
		wait "$i" 2>/dev/null
	done
	for d in "${HOSTILE_CGROUPS[@]}"; do
		for i in $(seq 1 20); do
			[ -d "$d" ] || break
			rmdir "$d" 2>/dev/null && break
			sleep 0.1
		done
		[ -d "$d" ] && left+=("$d")
	done
	[ ${#left[@]} -eq 0 ] ||
		printf 'warning: could not remove %d test cgroup(s), e.g. %s\n' ${#left[@]} "$(hpl show "$(hpl str-hex "${left[0]}")")" >&2
	HOSTILE_CGROUPS=() HOSTILE_INIT_PIDS=() HOSTILE_UNSHARE_PIDS=()
	return 0
}

# ---------------------------------------------------------------------------
# Strict parsers of capaudit's formats
# ---------------------------------------------------------------------------

# check_text_lines LABEL FILE: the default text report's line grammar: a
# header, one row per container (as many as the summary line counts), a blank
# line, then finding lines ([FAIL]/[WARN] only, each followed by its fix),
# and one summary line. Sets TEXT_ROWS (the table rows, one per line).
check_text_lines() {
	local label=$1 f=$2 bad n nsum
	! grep -q '^\[PASS\]' "$f" || fail_check "$label: a line starts with [PASS]: $(grep -m1 '^\[PASS\]' "$f")"
	bad=$(grep '^\[' "$f" | grep -v -E '^\[(FAIL|WARN)\] ([0-9.]+|-) (info|low|medium|high|critical) [a-z]+ ' | sed -n 1p | hpl vis || true)
	[ -z "$bad" ] || fail_check "$label: a finding line that is not [FAIL]/[WARN] <cis> <severity>: $bad"
	# Every finding line is followed by exactly one fix line, and no other
	# line is indented.
	bad=$(awk 'prev && !/^  fix: / { print "after a finding: " $0; exit }
		!prev && /^  / { print "stray indented line: " $0; exit }
		{ prev = /^\[(FAIL|WARN)\] / }' "$f")
	[ -z "$bad" ] || fail_check "$label: $bad"
	n=$(grep -c -E '^[0-9]+ containers?: [0-9]+ failed, [0-9]+ passed, [0-9]+ unknown; [0-9]+ process' "$f" || true)
	[ "$n" -eq 1 ] || fail_check "$label: $n summary lines, expected 1"
	nsum=$(grep -m1 -o -E '^[0-9]+ containers?:' "$f" | grep -o -E '^[0-9]+' || echo -1)
	# The table: from the header to the first blank line.
	sed -n 1p "$f" | grep -q '^RUNTIME  *ID ' || fail_check "$label: the first line is not the table header: $(head -n 1 "$f")"
	TEXT_ROWS=$(awk 'NR == 1 { next } /^$/ { exit } { print }' "$f")
	n=$(printf '%s' "$TEXT_ROWS" | grep -c '^' || true)
	[ "$n" -eq "$nsum" ] || fail_check "$label: $n table rows, but the summary counts $nsum containers"
	bad=$(printf '%s\n' "$TEXT_ROWS" | grep -v -E '^(docker|podman|containerd|crio|lxc|nspawn|unknown) .* (PASS|FAIL|UNKNOWN)$' | sed -n 1p | hpl vis || true)
	[ -z "$bad" ] || fail_check "$label: a table row that is not <runtime> ... <verdict>: $bad"
	# After the table: nothing but findings, fixes and the summary.
	bad=$(awk 'NR == 1 { next } !t { if (/^$/) t = 1; next }
		!/^\[(FAIL|WARN)\] / && !/^  fix: / && !/^[0-9]+ containers?: / { print; exit }' "$f")
	[ -z "$bad" ] || fail_check "$label: a line after the table that is no finding, fix or summary: $bad"
}

# text_row_count ROWS RUNTIME ID VERDICT: how many of ROWS (a text table, as
# TEXT_ROWS) are the row of RUNTIME's container ID (escaped as capaudit does;
# it may hold spaces) ending in VERDICT.
text_row_count() {
	# (ENVIRON: awk -v would undo the escapes in the id.)
	printf '%s\n' "$1" | H_RT=$2 H_ID=$3 H_V=$4 awk '
		BEGIN { rt = ENVIRON["H_RT"]; id = ENVIRON["H_ID"]; v = ENVIRON["H_V"] }
		index($0, rt " ") != 1 { next }
		{ s = substr($0, length(rt) + 1); sub(/^ +/, "", s) }
		index(s, id " ") == 1 && $NF == v { n++ }
		END { print n + 0 }'
}

# tree_comm_count FILE PID COMM: how many rows of an --tree -o
# RUNTIME,ID,COMM,VERDICT table are process PID with COMM (as escaped).
tree_comm_count() {
	H_PID=$2 H_COMM=$3 awk '
		BEGIN { p = ENVIRON["H_PID"]; c = ENVIRON["H_COMM"] }
		/^ / {
			s = $0; sub(/^ +/, "", s)
			if (s !~ /^(├─|└─|\|-|`-)[0-9]+ /) next
			sub(/^(├─|└─|\|-|`-)/, "", s)
			if (index(s, p " ") != 1) next
			s = substr(s, length(p) + 1); sub(/^ +/, "", s); sub(/ +$/, "", s)
			if (s == c) n++
		}
		END { print n + 0 }' "$1"
}

# tree_counts FILE: "<container rows> <process rows>" of an --tree table.
tree_counts() {
	awk 'NR == 1 { next } /^$/ { exit }
		/^ +(├─|└─|\|-|`-)[0-9]+( |$)/ { p++; next } /^[a-z]/ { c++ }
		END { print c + 0, p + 0 }' "$1"
}

# ---------------------------------------------------------------------------
# One selection, every format
# ---------------------------------------------------------------------------

# hostile_container RUNTIME ID VERDICT CIS: a record for check_selection:
# the container's runtime, id (escaped, as in JSON), verdict (pass, fail) and
# what its CIS line says after "<id>: ", tab-separated.
hostile_container() {
	printf '%s\t%s\t%s\t%s' "$@"
}

# cis_names HEX: a bounding set as capaudit's CIS line names it: ALL where it
# is privileged, holding all that pid 1's holds below CAP_PERFMON (bit 38),
# else the names in bit order, upper case, without CAP_.
cis_names() {
	local v=$((16#$1)) host i out=()
	host=$((16#$(proc_cap 1 CapBnd) & ((1 << 38) - 1)))
	if [ "$host" -ne 0 ] && [ $((v & host)) -eq "$host" ]; then
		printf 'ALL\n'
		return 0
	fi
	for ((i = 0; i < 64; i++)); do
		[ $(((v >> i) & 1)) -eq 1 ] || continue
		if [ "$i" -lt ${#CAP_NAMES[@]} ]; then out+=("${CAP_NAMES[$i]^^}"); else out+=("$i"); fi
	done
	printf '%s\n' "${out[*]}"
}

# capaudit_run OUT ARGS...: run capaudit (built-in policy) into OUT, OUT.err,
# and OUT.rc.
capaudit_run() {
	local dest=$1 rc=0
	shift
	timeout 60 "$CAPAUDIT" -p built-in "$@" >"$dest" 2>"$dest.err" || rc=$?
	printf '%s\n' "$rc" >"$dest.rc"
}

# The checks of a JSON report, in one jq run (jq starts slowly): "FAIL<TAB>
# message" lines for what is wrong, then "N<TAB>containers<TAB>processes",
# then "C<TAB>runtime<TAB>id<TAB>verdict" per container.
# shellcheck disable=SC2016
HOSTILE_JQ_JSON='
def bad: test("[\u0000-\u001f\u007f-\u009f]");
. as $d
| ([.containers[] | select(.verdict == "fail")] | length) as $nfail
| (if [.. | strings | select(bad)] | length > 0
   then "FAIL\ta string decodes to a control character: \([.. | strings | select(bad)][:3])" else empty end),
  (if .schema_version != 1 then "FAIL\tschema_version is \(.schema_version)" else empty end),
  (if .summary.containers != (.containers | length)
   then "FAIL\t.summary.containers is \(.summary.containers), but .containers has \(.containers | length)" else empty end),
  (if .summary.failed != $nfail then "FAIL\t.summary.failed is \(.summary.failed), but \($nfail) fail" else empty end),
  (if $erc != (if $nfail > 0 then 1 else 0 end)
   then "FAIL\t\($nfail) failing container(s), but the exit status must be \($erc)" else empty end),
  ($want[] as $w
   | ([$d.containers[] | select(.runtime == $w[0] and .id == $w[1])] | length) as $n
   | ([$d.containers[] | select(.runtime == $w[0] and .id == $w[1] and .verdict == $w[2])] | length) as $v
   | if $n != 1 or $v != 1
     then "FAIL\t\($n) containers {runtime: \($w[0]), id: \($w[1] | tojson)} (\($v) with verdict \($w[2])), expected 1; all: \([$d.containers[] | [.runtime, .id, .verdict]])"
     else empty end),
  (if $exact and (.containers | length) != ($want | length)
   then "FAIL\t\(.containers | length) containers, expected \($want | length): \([.containers[] | [.runtime, .id]])" else empty end),
  (if $rt != "" and (all(.containers[]; .runtime == $rt) | not)
   then "FAIL\ta container not of runtime \($rt): \([.containers[].runtime] | unique)" else empty end),
  (if $pid != null and [.containers[].processes[].pid] != [$pid]
   then "FAIL\tprocesses \([.containers[].processes[].pid]), expected [\($pid)] alone" else empty end),
  (if all(.containers[].processes[]; .comm | type == "string") | not
   then "FAIL\ta process without a comm string" else empty end),
  "N\t\(.containers | length)\t\([.containers[].processes[]] | length)",
  (.containers[] | "F\t\(.runtime)\t\(.id)\t\(.findings | length)\t\([.findings[] | select(.fails)] | length)"),
  (.containers[] | "C\t\(.runtime)\t\(.id)\t\(.verdict)")'

# The same of a json-lines stream, line by line: "C<TAB>..." per container
# object, "S" for the summary object, "BAD<TAB>line" for anything else.
# shellcheck disable=SC2016
HOSTILE_JQ_LINES='
(fromjson? // null) as $o
| if ($o | type) != "object" then "BAD\t\(.)"
  elif $o | has("runtime") then "C\t\($o.runtime)\t\($o.id)\t\($o.verdict)"
  elif ($o | has("summary") and has("schema_version")) then "S"
  else "BAD\t\(.)" end'

# HOSTILE_STRICT_FINDINGS=yes: the container field of a text finding line
# ("[FAIL] 5.4 high lxc <id>: message") must be one token, its spaces as \x20
# like the CIS line's, so that no name holding ": " can move where the id
# ends and the message starts.
: "${HOSTILE_STRICT_FINDINGS:=yes}"

# check_selection LABEL EXACT EXPECTED-RC RECORD... -- ARGS...: run
# capaudit with ARGS in every format and check each output strictly. RECORDs
# (hostile_container) are the test's containers the selection must list
# (EXACT=yes: and nothing else); EXPECTED-RC is the exit status their
# verdicts imply. With --pid, the one process alone. Sets LAST_DIR (the
# outputs) and JSON_OK (no when the JSON report could not be parsed).
check_selection() {
	local label=$1 exact=$2 erc=$3 d f rc want=() c rt id verdict cis n got
	local pidsel=null rtsel='' wantjson
	shift 3
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	[[ " $* " =~ \ --pid\ ([0-9]+)\  ]] && pidsel=${BASH_REMATCH[1]}
	[[ " $* " =~ \ --runtime\ ([a-z]+)\  ]] && rtsel=${BASH_REMATCH[1]}
	d=$LIVE_TMP/out/$label
	LAST_DIR=$d JSON_OK=yes
	mkdir -p "$d"
	note "--- $label: capaudit $*"

	capaudit_run "$d/json" --format json "$@"
	capaudit_run "$d/json-lines" --format json-lines "$@"
	capaudit_run "$d/cis" --format cis "$@"
	capaudit_run "$d/prometheus" --format prometheus "$@"
	capaudit_run "$d/text" "$@"
	LC_ALL=C capaudit_run "$d/text-C" "$@"
	capaudit_run "$d/raw" -o RUNTIME,ID,VERDICT -n -r "$@"
	capaudit_run "$d/quiet" -q "$@"
	capaudit_run "$d/tree" --tree "$@"
	capaudit_run "$d/tree-comm" --tree -o RUNTIME,ID,COMM,VERDICT "$@"
	capaudit_run "$d/O.stdout" --format prometheus -O "$d/O.prom" "$@"
	# Whether another test started or stopped containers meanwhile.
	[ "$exact" = yes ] || capaudit_run "$d/json-after" --format json "$@"

	# Every output: safe bytes only, the exit status the verdicts imply.
	local outs=(json json-lines cis prometheus text text-C raw quiet tree tree-comm O.stdout O.prom)
	[ "$exact" = yes ] || outs+=(json-after)
	for f in "${outs[@]}"; do
		[ -e "$d/$f" ] || { fail_check "$label: capaudit -O wrote no $f"; touch "$d/$f"; }
		[ -e "$d/$f.rc" ] || continue
		rc=$(cat "$d/$f.rc")
		[ "$rc" = "$erc" ] || fail_check "$label $f: exit status $rc, expected $erc"
		[ ! -s "$d/$f.err" ] || note "$label $f: stderr: $(hpl show-file "$d/$f.err" | tr '\n' ' ')"
	done
	while IFS= read -r got; do
		fail_check "$label $got"
	done < <(cd "$d" && hpl clean "${outs[@]}" ./*.err)
	for f in "${outs[@]}"; do
		iconv -f UTF-8 -t UTF-8 "$d/$f" >/dev/null 2>&1 || fail_check "$label $f: iconv rejects it as UTF-8"
	done
	[ ! -s "$d/O.stdout" ] || fail_check "$label: with -O, capaudit wrote to standard output"
	n=$(find "$d" -maxdepth 1 -name '*prom*' ! -name O.prom ! -name 'prometheus*' | wc -l)
	[ "$n" -eq 0 ] || fail_check "$label: -O left temporary files: $(ls "$d")"

	# JSON: exactly one document, then the checks of HOSTILE_JQ_JSON.
	if [ "$(jq -s length "$d/json" 2>/dev/null)" != 1 ]; then
		fail_check "$label json: not exactly one JSON document: $(hpl show-file "$d/json" | tr '\n' ' ')"
		JSON_OK=no
		return 0
	fi
	wantjson=$(for c in "${want[@]}"; do printf '%s\n' "$c"; done |
		jq -R -s -c 'split("\n") | map(select(. != "") | split("\t")[0:3])')
	local sj='' sjl='' nj=() line sf=''
	while IFS= read -r line; do
		case $line in
		FAIL$'\t'*) fail_check "$label json: ${line#FAIL$'\t'}" ;;
		N$'\t'*) read -r -a nj <<<"${line#N$'\t'}" ;;
		F$'\t'*) sf+=${line#F$'\t'}$'\n' ;;
		C$'\t'*) sj+=${line#C$'\t'}$'\n' ;;
		*) fail_check "$label json: jq said: $line" ;;
		esac
	done < <(jq -r --argjson want "$wantjson" --argjson exact "$([ "$exact" = yes ] && echo true || echo false)" \
		--argjson erc "$erc" --arg rt "$rtsel" --argjson pid "$pidsel" "$HOSTILE_JQ_JSON" "$d/json" 2>&1)
	sj=$(printf '%s' "$sj" | sort)

	# json-lines: one object a line, a container each, then the summary.
	got=$(jq -R -r "$HOSTILE_JQ_LINES" "$d/json-lines" 2>&1 || true)
	if grep -q -v -e '^C	' -e '^S$' <<<"$got" || [ "$(grep -c '^S$' <<<"$got")" -ne 1 ] ||
		[ "$(tail -n 1 <<<"$got")" != S ]; then
		fail_check "$label json-lines: not one object a line, a container each, then the summary: $(grep -v '^C	' <<<"$got" | cut -c1-300 | sed -n 1,3p | tr '\n' ' ' | hpl vis)"
	fi
	sjl=$(grep '^C	' <<<"$got" | cut -f2- | sort || true)

	# CIS: each line "<id without spaces>: CapAdd=", that once.
	got=$(grep -v -E '^[^ ]+: CapAdd=' "$d/cis" | sed -n 1p | hpl vis || true)
	[ -z "$got" ] || fail_check "$label cis: a line that is not <id>: CapAdd=...: $got"
	got=$(awk '{ s = $0; n = 0; while ((i = index(s, ": CapAdd=")) > 0) { n++; s = substr(s, i + 1) } if (n != 1) { print; exit } }' "$d/cis")
	[ -z "$got" ] || fail_check "$label cis: a line holding \": CapAdd=\" more than once: $got"

	# Prometheus: the exposition format's line grammar, every line.
	local name='[a-zA-Z_:][a-zA-Z0-9_:]*'
	local lbl='[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\["\\n])*"'
	local sample="^$name(\\{($lbl)(,$lbl)*\\})? -?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?\$"
	local comment="^# (HELP $name .*|TYPE $name (gauge|counter|untyped))\$"
	for f in prometheus O.prom; do
		got=$(LC_ALL=C grep -v -E -e "$sample" -e "$comment" "$d/$f" | sed -n 1,3p | hpl vis || true)
		[ -z "$got" ] || fail_check "$label $f: lines outside the exposition grammar: $got"
	done

	# Text: the line grammar; the raw table, three fields a line; the tree.
	for f in text text-C; do
		check_text_lines "$label $f" "$d/$f"
		if [ -n "$TEXT_ROWS" ]; then printf '%s\n' "$TEXT_ROWS"; fi >"$d/$f.rows"
	done
	got=$(awk 'NF != 3 || $1 !~ /^(docker|podman|containerd|crio|lxc|nspawn|unknown)$/ || $3 !~ /^(PASS|FAIL|UNKNOWN)$/' "$d/raw" | sed -n 1p | hpl vis)
	[ -z "$got" ] || fail_check "$label raw: a line that is not <runtime> <id> <verdict>: $got"
	# -q: failing rows and [FAIL] lines only.
	got=$(grep -v -E '^(RUNTIME  *ID .*|[a-z]+ .* (FAIL|UNKNOWN)|\[FAIL\] ([0-9.]+|-) [a-z]+ .*|  fix: .*|[0-9]+ containers?: .*|)$' "$d/quiet" | sed -n 1p | hpl vis || true)
	[ -z "$got" ] || fail_check "$label quiet: a line that is no failing row, [FAIL] finding, fix or summary: $got"
	for f in tree tree-comm; do
		! grep -q '^\[PASS\]' "$d/$f" || fail_check "$label $f: a line starts with [PASS]"
		got=$(grep '^\[' "$d/$f" | grep -v -E '^\[(FAIL|WARN)\] ' | sed -n 1p | hpl vis || true)
		[ -z "$got" ] || fail_check "$label $f: a finding line that is not [FAIL]/[WARN]: $got"
	done

	# The test's containers, each exactly once in every format.
	local sp sc sr raws short row
	sp=$(hpl prom-ids "$d/prometheus" | sort)
	sc=$(sed 's/: CapAdd=.*//' "$d/cis" | sort)
	sr=$(sort "$d/raw")
	raws=$(for c in "${want[@]}"; do printf '%s\n' "$c"; done | cut -f1-3 | hpl json2raw)
	n=0
	for c in "${want[@]}"; do
		IFS=$'\t' read -r rt id verdict cis <<<"$c"
		n=$((n + 1))
		row=$rt$'\t'$id$'\t'$verdict
		[ "$(grep -c -x -F -- "$row" <<<"$sjl" || true)" -eq 1 ] ||
			fail_check "$label json-lines: not one line for {$rt, \"$id\", $verdict}"
		[ "$(grep -c -x -F -- "$row" <<<"$sp" || true)" -eq 1 ] ||
			fail_check "$label prometheus: not one verdict series {runtime=\"$rt\", id=\"$id\", verdict=\"$verdict\"} (label values unescaped)"
		got=$(H_L="${id// /\\x20}: $cis" awk 'BEGIN { l = ENVIRON["H_L"] } $0 == l { n++ } END { print n + 0 }' "$d/cis")
		[ "$got" -eq 1 ] || fail_check "$label cis: $got lines '${id// /\\x20}: $cis', expected 1"
		got=$(sed -n "${n}p" <<<"$raws")
		[ "$(grep -c -x -F -- "$got" <<<"$sr" || true)" -eq 1 ] ||
			fail_check "$label raw: not one row '$got'"
		short=$id
		[[ $id =~ ^[0-9a-f]{64}$ ]] && short=${id:0:12}
		for f in text text-C; do
			got=$(text_row_count "$(cat "$d/$f.rows")" "$rt" "$short" "${verdict^^}")
			[ "$got" -eq 1 ] || fail_check "$label $f: $got table rows for $rt $short ${verdict^^}, expected 1"
		done
		got=$(text_row_count "$(sed -n '2,/^$/p' "$d/quiet")" "$rt" "$short" FAIL)
		[ "$got" -eq "$([ "$verdict" = fail ] && echo 1 || echo 0)" ] ||
			fail_check "$label quiet: $got rows for $rt $short FAIL, but it is to $verdict"
		# Its finding lines: as many as JSON has findings, [FAIL] as many as
		# fail, each naming it as the finding lines name containers (one
		# token: spaces as \x20, as the CIS line writes ids).
		local nf
		nf=$(H_K="$rt"$'\t'"$id" awk -F '\t' 'BEGIN { k = ENVIRON["H_K"] } $1 "\t" $2 == k { print $3, $4 }' <<<"$sf")
		got=$(H_P="$rt ${short// /\\x20}: " awk 'BEGIN { p = ENVIRON["H_P"] }
			/^\[(FAIL|WARN)\] / { s = $0; sub(/^\[[A-Z]+\] [^ ]+ [^ ]+ /, "", s); if (index(s, p) == 1) { a++; if (/^\[FAIL\]/) f++ } }
			END { print a + 0, f + 0 }' "$d/text")
		[ "$got" = "$nf" ] ||
			fail_check "$label text: $rt $short: finding lines (all, [FAIL]) $got, but json has $nf"
		if [ "$verdict" = fail ] && [ "${nf#* }" = 0 ]; then
			fail_check "$label json: $rt $short fails without a failing finding"
		fi
		if [ "$HOSTILE_STRICT_FINDINGS" = yes ]; then
			# The container field, read as a line-oriented parser reads it:
			# the one token after the runtime, up to ": ", with its spaces
			# as \x20 (as the CIS line writes ids).
			got=$(H_RT=$rt H_ID="${short// /\\x20}:" awk 'BEGIN { rt = ENVIRON["H_RT"]; id = ENVIRON["H_ID"] }
				/^\[(FAIL|WARN)\] / && $4 == rt && $5 == id { n++ } END { print n + 0 }' "$d/text")
			[ "$got" = "${nf%% *}" ] ||
				fail_check "$label text: $got finding lines whose container field is '${short// /\\x20}', but json has ${nf%% *} findings (a name with spaces or ': ' moves the field's end)"
		fi
	done

	# Across formats, the same containers, when nothing else started or
	# stopped on the host meanwhile (another test may run beside this one).
	# (An exact selection lists the test's containers alone: those stay.)
	if [ "$exact" = yes ] ||
		[ "$sj" = "$(jq -r '.containers[] | "\(.runtime)\t\(.id)\t\(.verdict)"' "$d/json-after" | sort)" ]; then
		[ "$sjl" = "$sj" ] || fail_check "$label json-lines: not the containers of json: $(diff <(echo "$sj") <(echo "$sjl") | sed -n 1,5p | tr '\n' ' ')"
		[ "$sp" = "$sj" ] || fail_check "$label prometheus: not the containers of json: $(diff <(echo "$sj") <(echo "$sp") | sed -n 1,5p | tr '\n' ' ')"
		got=$(cut -f2 <<<"$sj" | sed 's/ /\\x20/g' | sort)
		[ "$sc" = "$got" ] || fail_check "$label cis: not the containers of json: $(diff <(echo "$got") <(echo "$sc") | sed -n 1,5p | tr '\n' ' ')"
		got=$(hpl json2raw <<<"$sj" | sort)
		[ "$sr" = "$got" ] || fail_check "$label raw: not the containers of json: $(diff <(echo "$got") <(echo "$sr") | sed -n 1,5p | tr '\n' ' ')"
		for f in text text-C; do
			got=$(grep -c '^' "$d/$f.rows" || true)
			[ "$got" -eq "${nj[0]:-0}" ] || fail_check "$label $f: $got rows, but json has ${nj[0]:-0} containers"
		done
		for f in tree tree-comm; do
			got=$(tree_counts "$d/$f")
			[ "$got" = "${nj[*]}" ] ||
				fail_check "$label $f: $got container and process rows, but json has ${nj[*]}"
		done
	else
		note "$label: the host's containers changed during the runs; formats not compared with each other"
	fi
}
