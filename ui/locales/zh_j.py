"""Chinese lines of the pool's claim delay and recycle conditions (J, issue 10)."""

ZH = {
    "back to the pool: {who} had not visited it for {days} days (last seen {last})":
        "回到公海：{who} 已 {days} 天没有拜访（上次 {last}）",
    "back to the pool: no deal within {days} days of {who}'s claim on {since}":
        "回到公海：{who} 于 {since} 认领后 {days} 天内未成交",
    "went back to the pool (no visit in {days} days)": "已退回公海（{days} 天未拜访）",
    "went back to the pool (no deal in {days} days)": "已退回公海（{days} 天未成交）",
    "In the shared pool: claimable from {at}": "在公海中：{at} 起可认领",
}
