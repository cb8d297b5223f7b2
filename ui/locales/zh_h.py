"""Chinese for the customer screen's ownership (helper H, issue 10): ``r`` returns a customer to
the pool with a reason (``screens/return_customer.py``), the ownership history under the
timeline, and the days of ownership left on the territory's rows."""

ZH = {
    # --- r: return to the pool
    "Return": "退回",
    "Give this customer back to the pool, with a reason": "把这个客户退回公海，并选择原因",
    "Return to the pool": "退回公海",
    "Return {name} to the pool: why?": "把{name}退回公海：原因是？",
    "a number or enter returns it; the server decides at sync · esc keeps it":
        "按数字或回车即退回，同步时由服务器决定 · esc 保留",
    "Next reason": "下一个原因",
    "Previous reason": "上一个原因",
    "Keep the customer": "保留这个客户",
    "Cannot return": "无法退回",
    "Return of {name} queued ({reason}): the server decides at sync":
        "{name}的退回已排队（{reason}）：同步时由服务器决定",
    "return to the pool waiting to sync": "退回公海待同步",
    # --- the ownership history
    "Ownership": "归属记录",
    "By": "操作人",
    "No ownership history on this laptop yet: it comes with the next sync":
        "本机还没有归属记录：下次同步时带来",
    "the server": "服务器",
    "an administrator": "管理员",
    # --- days of ownership left (the territory's column)
    "Left": "剩余",
    "{n}d": "{n}天",
}
