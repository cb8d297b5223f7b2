"""Helper E's lines (issue 16 leftovers, issue 11 request limits): the lock message, the pool
news of `fieldrep sync`, the login hint of a laptop never logged in, and a refused large push."""

ZH = {
    # the lock (tui/cli/__init__.py)
    "fieldrep is already open (pid {pid}{where}, `{command}`, since {since}); close it first":
        "fieldrep 已经打开（进程 {pid}{where}，`{command}`，自 {since} 起）；请先关闭它",
    " on {host}": "，在 {host} 上",
    # a laptop never logged in (tui/app.py, tui/signin.py, screens/login.py, tui/cli)
    "Not logged in: press L to log in (or run `fieldrep login`)":
        "未登录：按 L 登录（或运行 `fieldrep login`）",
    "Log in with the server's address and your token; pending work stays on this laptop":
        "用服务器地址和你的令牌登录；待同步的内容仍保存在这台电脑上",
    "Log in to your team's server": "登录团队的服务器",
    "Your admin gives you the server's address and your token.":
        "服务器地址和令牌由管理员提供。",
    "not logged in: open fieldrep in a terminal and press L, or log in with `fieldrep login "
    "--server https://your-server` (it asks for your token), or try it on a seeded team with "
    "`make demo` (fieldrep demo)":
        "未登录：在终端里打开 fieldrep 后按 L 登录，或用 `fieldrep login --server "
        "https://你的服务器` 登录（它会询问你的令牌），或用 `make demo`（fieldrep demo）在示例团队上试用",
    # a push the server refuses as too large (sync/push_limits.py TOO_LARGE)
    "one change is larger than the server accepts ({max} bytes), so it and the changes after it "
    "wait: ask your admin to raise FIELDREP_MAX_BODY_BYTES":
        "有一条更改超过了服务器接受的大小（{max} 字节），它和之后的更改都在等待：请管理员调高 "
        "FIELDREP_MAX_BODY_BYTES",
    "not logged in: press L to log in (or run `fieldrep login`)":
        "未登录：按 L 登录（或运行 `fieldrep login`）",
}
