# A closed stdout ends the run quietly.
(cd "$work" && $runner "$bin" -n 50 "the" 2>"$work/err" | head -1 >/dev/null)
err=$(cat "$work/err")
expect_no_err
