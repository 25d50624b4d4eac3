# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for capaudit(8), installed as .../bash-completion/completions/capaudit.
#
# The options and the column names come from the capaudit being completed
# (its --help and --list-columns), so that they are never out of date; the
# values of an option are the ones capaudit(8) lists for it.

_capaudit_opts() {	# the long options capaudit --help lists
	"$1" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
}

_capaudit_takes_arg() {	# whether option $2 of capaudit $1 takes a value (its --help shows one)
	case $2 in
	-p | -O | -o) return 0 ;;
	-?) return 1 ;;
	esac
	"$1" --help 2>/dev/null | grep -Eq -- "(^|[ ,])$2 [A-Z]"
}

_capaudit() {
	local cur prev bin cmd sub i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	bin=${COMP_WORDS[0]}
	COMPREPLY=()

	# --color=WHEN (and --format=json ...): bash splits the word at '='
	if [ "$cur" = = ]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]} cur=
	elif [ "$prev" = = ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	case $prev in
	--format)
		mapfile -t COMPREPLY < <(compgen -W "text json json-lines cis prometheus" -- "$cur")
		return 0 ;;
	--runtime)
		mapfile -t COMPREPLY < <(compgen -W "docker podman containerd crio lxc nspawn runc crun unknown" -- "$cur")
		return 0 ;;
	--compress)
		mapfile -t COMPREPLY < <(compgen -W "none gzip zstd xz" -- "$cur")
		return 0 ;;
	--debug)
		mapfile -t COMPREPLY < <(compgen -W "attrib learn all" -- "$cur")
		return 0 ;;
	--color)
		mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
		return 0 ;;
	-o | --output)
		# a comma-separated list, "+" first to add to the default
		local pre=${cur%"${cur##*[,+]}"} last=${cur##*[,+]} cols
		cols=$("$bin" --list-columns 2>/dev/null | awk '{ print $1 }')
		mapfile -t COMPREPLY < <(compgen -P "$pre" -W "$cols" -- "$last")
		compopt -o nospace 2>/dev/null
		return 0 ;;
	--pid)
		mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && printf '%s\n' [0-9]*)" -- "$cur")
		return 0 ;;
	--proc-root | --host-root)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0 ;;
	--duration)
		mapfile -t COMPREPLY < <(compgen -W "30s 60s 5m 1h" -- "$cur")
		return 0 ;;
	--buffer-size | --container | --case | --examiner | --note)
		return 0 ;;	# a value of the user's own
	-p | --policy | -O | --output-file | --snapshot | --digest-file | --sign | --key | --policy-out)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		if [ "$prev" = -p ] || [ "$prev" = --policy ]; then
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W built-in -- "$cur")
		fi
		return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_capaudit_opts "$bin")" -- "$cur")
		return 0
	fi

	# The command: the first word that is neither an option nor an option's value.
	cmd='' sub=
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		= | --*=*) ;;
		-*)
			if [ "${COMP_WORDS[i + 1]:-}" = = ]; then
				i=$((i + 2))	# --opt = value
			elif _capaudit_takes_arg "$bin" "$w"; then
				i=$((i + 1))
			fi ;;
		*) if [ -z "$cmd" ]; then cmd=$w; elif [ -z "$sub" ]; then sub=$w; fi ;;
		esac
	done
	case $cmd in
	"")
		mapfile -t COMPREPLY < <(compgen -W "scan snapshot policy diff learn" -- "$cur") ;;
	policy)
		if [ -z "$sub" ]; then
			mapfile -t COMPREPLY < <(compgen -W "check show" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi ;;
	diff)
		# each side a snapshot, a directory, or live
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W live -- "$cur") ;;
	snapshot)
		[ -z "$sub" ] && mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
	return 0
}
complete -F _capaudit capaudit
