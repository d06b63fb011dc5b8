# bash completion for sockrr: verbs, each verb's options and their values,
# traces and captures where a verb reads one, and the command after "--".
# Installed by `make install` into share/bash-completion/completions/.

_sockrr_ops="socket socketpair bind listen accept4 connect sendmsg recvmsg shutdown close
getsockopt setsockopt getsockname getpeername fcntl dup ioctl poll getaddrinfo getnameinfo
gethostbyname2_r gethostbyaddr_r gethostname sethostname if_nameindex now sleep unsupported lost"

_sockrr_files() # PATTERN: files matching it, and directories
{
    local IFS=$'\n'
    COMPREPLY+=($(compgen -f -X "!$1" -- "$cur") $(compgen -d -- "$cur"))
}

_sockrr()
{
    local cur prev verb i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "record replay sim fuzz show convert check diff stats --help --version" -- "$cur"))
        return
    fi
    verb=${COMP_WORDS[1]}
    # after "--": the command and its own arguments
    for ((i = 2; i < COMP_CWORD; i++)); do
        if [ "${COMP_WORDS[i]}" = "--" ]; then
            if [ "$i" -eq $((COMP_CWORD - 1)) ]; then
                COMPREPLY=($(compgen -c -- "$cur"))
            else
                compopt -o default 2> /dev/null
            fi
            return
        fi
    done
    case $prev in
    -o | --output)
        case $verb in
        convert) _sockrr_files '*' ;;
        *) _sockrr_files '*.jsonl' ;;
        esac
        return ;;
    --pcap) _sockrr_files '*.pcap'; return ;;
    --svg) _sockrr_files '*.svg'; return ;;
    --html) _sockrr_files '*.html'; return ;;
    --net) _sockrr_files '*.json'; return ;;
    -i) [ "$verb" = fuzz ] && { COMPREPLY=($(compgen -d -- "$cur")); return; } ;;
    --ring-full) COMPREPLY=($(compgen -W "wait drop" -- "$cur")); return ;;
    --on-miss) COMPREPLY=($(compgen -W "fail passthrough" -- "$cur")); return ;;
    --op | --skip-op)
        local pre=${cur%,*} last=${cur##*,}
        [ "$pre" = "$cur" ] && pre="" || pre="$pre,"
        COMPREPLY=($(compgen -P "$pre" -W "$_sockrr_ops" -- "$last"))
        compopt -o nospace 2> /dev/null
        return ;;
    --seed | --payload-cap | --ring-size | --pid | --sock | --rechunk | --map | --top | \
    -C | --context | -j)
        return ;; # a number or an address: nothing to offer
    esac
    local opts
    case $verb in
    record) opts="-o --output --pcap --payload-cap --ring-size --ring-full --passthrough --rescue --help --" ;;
    replay) opts="-o --output --pcap --payload-cap --ring-size --ring-full --pid --rechunk --map --on-miss --strict --lenient --help --" ;;
    sim) opts="--net --seed -o --output --pcap --payload-cap --ring-size --ring-full --help --" ;;
    fuzz) opts="-i -o -j --net --no-defer --persistent --no-dict --afl --help -- seeds show run traces" ;;
    show) opts="-x --pid --sock --op --svg --html --help" ;;
    convert) opts="-o --output --help" ;;
    check) opts="--help" ;;
    diff) opts="-t --ignore-times -p --ignore-pids -P --ignore-ports -i --ignore-run -b --bytes --skip-op -C --context -q --brief --help" ;;
    stats) opts="--json --top --help" ;;
    *) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    case $verb in
    show | diff | stats | replay) _sockrr_files '@(*.jsonl|*.pcap|*.pcapng|-)' ;;
    convert) _sockrr_files '@(*.jsonl|*.pcap|*.pcapng)' ;;
    check) _sockrr_files '@(*.jsonl|*.json)' ;;
    fuzz) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "--" -- "$cur")) ;;
    esac
}
complete -F _sockrr sockrr
