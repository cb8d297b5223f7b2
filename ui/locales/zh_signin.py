"""Signed out and logging in again from the TUI (tui/signin.py, screens/login.py), and what the
demo says about a folder it keeps for unsynced work (tui/demo.py)."""

ZH = {
    # signed out
    "signed out: log in again": "已退出登录：请重新登录",
    "(press L). Your pending work stays on this laptop.": "（按 L）。待同步的内容仍保存在这台电脑上。",
    "Log in": "登录",
    "Log in again with a new token; pending work stays on this laptop":
        "用新令牌重新登录；待同步的内容仍保存在这台电脑上",
    "Logged in: your pending work syncs now": "已登录：正在同步待同步的内容",
    # the login modal
    "Your pending work stays on this laptop and syncs once you are in.":
        "待同步的内容仍保存在这台电脑上，登录后就会同步。",
    "Server": "服务器",
    "Token (from your admin)": "令牌（管理员给你的）",
    "paste the token": "粘贴令牌",
    "Log in with this server and token": "用这个服务器和令牌登录",
    "Close without logging in; nothing changes": "不登录直接关闭；什么都不会改变",
    "The server is an address like https://fieldrep.example.com":
        "服务器是一个地址，例如 https://fieldrep.example.com",
    "Paste the token your admin gave you (one word, no spaces)":
        "粘贴管理员给你的令牌（一个词，不含空格）",
    "Logging in…": "正在登录…",
    "The server did not accept this token: ask your admin for a new one":
        "服务器不接受这个令牌：请向管理员要一个新的",
    "Cannot reach {server}: check the address and the network": "无法连接 {server}：请检查地址和网络",
    "Login failed: {reason}": "登录失败：{reason}",
    # the demo's kept folder
    "1 change did not reach the server": "有 1 项改动没有同步到服务器",
    "{n} changes did not reach the server": "有 {n} 项改动没有同步到服务器",
    "{said}: its folder stays at {root}; `fieldrep demo --keep {root}` syncs it, or delete the "
    "folder": "{said}：数据文件夹保留在 {root}；运行 `fieldrep demo --keep {root}` 即可同步，或删除该文件夹",
    "Use https:// for {server}: over plain http your token would cross the network readable":
        "请对 {server} 使用 https://：走明文 http 时，你的令牌会在网络上以可读的形式传输",
}
