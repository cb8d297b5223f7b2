"""The headless commands (tui/cli.py): login, status, sync, claim."""

ZH = {
    # login
    "register this laptop with the team's server; it asks for the token your admin gave you "
    "(not shown as you type)": "把这台电脑登记到团队的服务器；它会询问管理员给你的令牌（输入时不显示）",
    "the server, https://… (plain http:// only to this machine, or with --insecure)":
        "服务器地址，https://…（明文 http:// 只用于本机，或加 --insecure）",
    "- reads the token from stdin (e.g. from a password manager). For scripts only: a token "
    "written here can be read by other users in the process list and stays in your shell "
    "history. Without --token you are asked for it (or, with no terminal, it is read from "
    "stdin)":
        "写 - 则从标准输入读取令牌（例如来自密码管理器）。直接写令牌仅供脚本使用：写在这里的令牌，"
        "本机其他用户能在进程列表中看到，并会留在你的命令历史里。不加 --token 时会询问你"
        "（没有终端时从标准输入读取）",
    "allow plain http:// to another machine: the token and your data travel unencrypted":
        "允许用明文 http:// 连接其他机器：令牌和你的数据将不加密传输",
    "--server must be an http:// or https:// URL, not {url}":
        "--server 必须是 http:// 或 https:// 地址，而不是 {url}",
    "--server {url} is not a URL with a host name": "--server {url} 不是带主机名的地址",
    "refusing to send your token unencrypted to {host} over plain http://: use https://, or add "
    "--insecure if this network is truly private":
        "拒绝通过明文 http:// 把令牌不加密地发送到 {host}：请使用 https://；"
        "如果这个网络确实是私有的，可加 --insecure",
    "warning: --insecure: your token and your customers' data cross the network to {host} "
    "unencrypted": "警告：--insecure：你的令牌和客户数据将不加密地经网络传到 {host}",
    "Token (from your admin; it is not shown as you type): ": "令牌（管理员给你的；输入时不显示）：",
    "no token given: paste the token your admin gave you when asked, or pipe it in with "
    "--token -": "没有提供令牌：在询问时粘贴管理员给你的令牌，或用 --token - 从管道传入",
    "that is not a token: a token is one word without spaces": "这不是令牌：令牌是一个不含空格的词",
    "login failed: {error}": "登录失败：{error}",
    "warning: a token given as --token TOKEN can be read by other users of this machine (in "
    "the process list) and stays in your shell history; leave --token out to be asked for it, "
    "or use --token - to read it from stdin":
        "警告：用 --token TOKEN 给出的令牌，本机其他用户能（在进程列表中）看到，并会留在你的命令"
        "历史里；不加 --token 会询问你，或用 --token - 从标准输入读取",
    "logged in as {name} ({role}) on {server}; run fieldrep sync":
        "已以 {name}（{role}）登录 {server}；请运行 fieldrep sync",
    "manager": "经理",
    "admin": "管理员",
    "not logged in: run fieldrep login --server URL (or make demo to try it)":
        "未登录：请运行 fieldrep login --server URL（或用 make demo 试用）",
    "not logged in: log in with `fieldrep login --server https://your-server` (it asks for your "
    "token), or try it on a seeded team with `make demo` (fieldrep demo)":
        "未登录：请用 `fieldrep login --server https://你的服务器` 登录（它会询问你的令牌），"
        "或用 `make demo`（fieldrep demo）在示例团队上试用",
    # sync
    "sync failed: {error}": "同步失败：{error}",
    "synced: {parts}": "已同步：{parts}",
    "pushed {n}": "发送 {n}",
    "pulled {n}": "接收 {n}",
    "{n} refused (see fieldrep status)": "{n} 个被拒绝（见 fieldrep status）",
    ", ": "，",
    # status
    "server:": "服务器：",
    "online:": "在线：",
    "last sync:": "上次同步：",
    "pending:": "待同步：",
    "conflicts:": "冲突：",
    "refused:": "被拒绝：",
    "not logged in": "未登录",
    "yes": "是",
    "no": "否",
    "signed out: log in again (fieldrep login --server {server})":
        "已退出登录：请重新登录（fieldrep login --server {server}）",
    "{what} — {why}": "{what} — {why}",
    "change": "修改",
    "refused by the server": "被服务器拒绝",
    "refused": "被拒绝",
    # claim
    "claim for {name} queued; the server decides at the next sync":
        "已排队认领 {name}；下次同步时由服务器决定",
    # feedback
    "{why}: add --score 1-5": "{why}：请加上 --score 1-5",
}
