#!/bin/sh
# make_tree.sh DIR: a folder whose shape is hostile rather than its bytes.
#   deep/...           a file 200 folders down (paths of about 1 KB)
#   names with spaces, a newline, non-UTF-8 bytes, a leading dash, a
#   backslash and an ANSI escape in their names, each holding one word
#   loop/self -> .     a symbolic link loop; loop/up -> ..
#   dangling -> x      a broken link; outside -> /etc/hostname (outside)
#   fifo               a named pipe nobody writes to (must not hang)
#   sock               a Unix socket, when python3 or perl can make one
#   dddd.../bottom.txt a file 300 folders down, its path past PATH_MAX
set -eu
dir=$1
mkdir -p "$dir"
d="$dir/deep"
i=0
while [ "$i" -lt 200 ]; do
    d="$d/d$i"
    i=$((i + 1))
done
mkdir -p "$d"
printf 'deepfolderword at the bottom\n' > "$d/bottom.txt"
printf 'spacenameword\n' > "$dir/name with  spaces.txt"
printf 'newlinenameword\n' > "$dir/new
line.txt"
printf 'latinnameword\n' > "$dir/$(printf 'caf\351.txt')"
printf 'dashnameword\n' > "$dir/-rf.txt"
printf 'backslashnameword\n' > "$dir/back\\slash.txt"
printf 'escapenameword\n' > "$dir/$(printf 'esc\033[31mred.txt')"
mkdir -p "$dir/loop"
printf 'loopword inside the loop folder\n' > "$dir/loop/in.txt"
ln -s . "$dir/loop/self"
ln -s .. "$dir/loop/up"
ln -s nowhere "$dir/dangling"
[ -e /etc/hostname ] && ln -s /etc/hostname "$dir/outside"
mkfifo "$dir/fifo"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])' "$dir/sock"
elif command -v perl >/dev/null 2>&1; then
    perl -MSocket -MIO::Socket::UNIX -e \
        'IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $ARGV[0]) or die' \
        "$dir/sock"
fi
# Folders nested past PATH_MAX (300 x 17 bytes), made one level at a time
# (cd -P: a logical cd needs the whole path), as no path can name the
# bottom; the walker can only skip them.
(
    cd "$dir"
    i=0
    while [ "$i" -lt 300 ]; do
        mkdir dddddddddddddddd && cd -P dddddddddddddddd
        i=$((i + 1))
    done
    printf 'toolongpathword\n' > bottom.txt
)
