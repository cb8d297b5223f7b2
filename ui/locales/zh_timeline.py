"""Chinese for the customer timeline's complaint state (the date a complaint was resolved)."""

ZH = {
    "{state} ({date})": "{state}（{date}）",
}
