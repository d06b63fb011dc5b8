# The layers say what they may touch (docs/seam.md): the interposer maps
# descriptors and errno and calls through the seam, and knows no world by
# name; what it must know of a world it reads from the capabilities and
# asks through the control slot.  A world is reached through the seam only.
. tests/integration/lib.inc
named=$(grep -nE 'srr__(sim|replay|tap|kernel)_ops|srr_(sim|replay)_[a-z_]+\(|srr__(sim|rp|tap)_[a-z_]+\(|SRR_CTL_(SIM|REPLAY|FUZZ)_' \
    interpose/*.c interpose/*.h || true)
[ -z "$named" ] || fail "the interposer names a world: $named"
included=$(grep -nE '#include "(sim[a-z_]*|replay_int|handover|tap|tap_int|forked|json_pos|sim_config[a-z_]*)\.h"' \
    interpose/*.c interpose/*.h || true)
[ -z "$included" ] || fail "the interposer includes a world's header: $included"
# the CLI builds worlds only through their public constructors and the
# launcher's table, never their insides
inside=$(grep -nE '#include "(sim|replay_int|tap_int|sim_config_int)\.h"' cli/*.c cli/*.h || true)
[ -z "$inside" ] || fail "the CLI includes a world's insides: $inside"
exit 0
