# Case, accents and word forms do not matter.
fs "safety zone"; lower=$out
fs "SAFETY ZONE"; upper=$out
[ "$lower" = "$upper" ] || fail "SAFETY ZONE gives other hits than safety zone"
# An accented query finds the unaccented text.
fs -n 1 "Nánkíng"
expect_status 0
expect_out "Nanking"
# A curly apostrophe in the text meets a straight one in the query.
fs -n 1 --color=always "China's capital"
expect_status 0
expect_out "China’s"
# Stemming: "executions" finds "execution" and "execute".
fs -n 20 --color=always "executions"
expect_status 0
expect_out "31mexecution"
expect_out "31mexecute"
