#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion (src/completion.bash), completing real command lines
# as bash does, against what capaudit itself accepts: every option --help
# lists is offered, every value offered is one capaudit takes, the columns
# are --list-columns', and the subcommands are the ones it runs.
. "$(dirname "$0")/common.sh"

# shellcheck source=../src/completion.bash
. "$top/src/completion.bash"

# complete WORDS...: the offers for the last word (empty for a new one), one a line, sorted.
complete_line() {
	COMP_WORDS=("$capaudit" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_capaudit
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}

# offers NAME WANT WORDS...: the offers are exactly WANT (space-separated).
offers() {
	local name=$1 want got
	want=$(printf '%s\n' $2 | sort)
	shift 2
	got=$(complete_line "$@")
	[ "$got" = "$want" ] && ok "$name" || ko "$name: offered '$(echo $got)', want '$(echo $want)'"
}

offers "the commands first" "diff learn policy scan snapshot" ""
offers "policy's subcommands" "check show" policy ""
offers "a command after an option and its value" "diff learn policy scan snapshot" --format json ""
offers "a command after --option=value" "diff learn policy scan snapshot" --format = json ""
offers "an option by its prefix" "--format" --form
offers "the options of learn by prefix" "--duration" --dur
offers "--color's values" "always auto never" --color ""
offers "--color=WHEN" "always auto never" --color = ""
offers "--compress's values" "gzip none xz zstd" snapshot f.tar --compress ""

# Every long option of --help is offered, and every option offered is one capaudit knows.
help_opts=$("$capaudit" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
got=$(complete_line --)
[ "$got" = "$help_opts" ] && ok "every option --help lists is offered ($(echo "$got" | wc -l))" ||
	ko "options offered differ from --help: $(diff <(echo "$got") <(echo "$help_opts") | tr '\n' ' ')"
bad=
for o in $got; do
	! "$capaudit" "$o" 2>&1 | grep -q "unrecognized option" || bad="$bad $o"
done
[ -z "$bad" ] && ok "capaudit knows every option offered" || ko "options capaudit refuses:$bad"

# Each value offered is taken: the formats, the runtimes, the debug masks.
values_taken() {	# NAME OPTION [BEFORE...]: each value offered for OPTION, run
	local name=$1 opt=$2 v bad=
	shift 2
	for v in $(complete_line "$@" "$opt" ""); do
		"$capaudit" "$@" "$opt" "$v" --proc-root "$fixtures/mixed" --policy built-in >/dev/null 2>"$tmp/err"
		[ $? -le 1 ] || bad="$bad $v($(head -c 80 "$tmp/err"))"
	done
	[ -z "$bad" ] && ok "$name: every value offered is taken" || ko "$name: refused:$bad"
}
values_taken "--format" --format
values_taken "--runtime" --runtime
values_taken "--debug" --debug
[ "$(complete_line --format "" | wc -l)" -eq 5 ] && ok "the five formats are offered" ||
	ko "formats offered: $(complete_line --format "" | tr '\n' ' ')"
[ "$(complete_line --runtime "" | wc -l)" -eq 9 ] && ok "the nine runtimes are offered" ||
	ko "runtimes offered: $(complete_line --runtime "" | tr '\n' ' ')"

# Columns: --list-columns', in a list as -o takes one.
cols=$("$capaudit" --list-columns | awk '{ print $1 }' | sort)
got=$(complete_line -o "")
[ "$got" = "$cols" ] && ok "-o offers every column ($(echo "$cols" | wc -l))" || ko "-o offered: $(echo $got)"
got=$(complete_line -o "RUNTIME,BOU")
[ "$got" = "RUNTIME,BOUNDING" ] && ok "-o completes the last column of a list" || ko "-o RUNTIME,BOU offered: $(echo $got)"
got=$(complete_line --output "+BOU")
[ "$got" = "+BOUNDING" ] && ok "-o completes a column added with +" || ko "--output +BOU offered: $(echo $got)"
"$capaudit" -o "$(complete_line -o "" | paste -sd, -)" --proc-root "$fixtures/mixed" --policy built-in >/dev/null 2>&1
[ $? -le 1 ] && ok "every column offered is one -o takes" || ko "-o refused a column offered"

# Files where a file goes; directories where a directory goes; built-in for a policy.
mkdir -p "$tmp/c/dir"
: >"$tmp/c/policy.ini"
offers "--policy: files, and built-in" "$tmp/c/dir $tmp/c/policy.ini" --policy "$tmp/c/"
# A word without a slash is completed in the working directory too: an empty
# one here, as an in-tree build has build-aux/ where the tests run.
cd "$tmp/c/dir" || exit 99
offers "--policy built-in" "built-in" --policy "bui"
offers "--proc-root: directories only" "$tmp/c/dir" --proc-root "$tmp/c/"
offers "diff: snapshots, directories, or live" "live" diff "liv"

finish completion.sh
