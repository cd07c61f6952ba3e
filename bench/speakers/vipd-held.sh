#!/usr/bin/env bash
# vipd with announce/withdraw sent over one held control connection (speakers/vipd_held.py fed
# through a FIFO) instead of a fresh vipctl process per call; its own row in the speaker bench,
# beside the shared bench's gobgp-grpc. Everything else is speakers/vipd.sh.
export VIPD_API=held
exec "${BASH_SOURCE[0]%/*}/vipd.sh" "$@"
