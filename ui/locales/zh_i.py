"""Chinese for a manager's assign, transfer and pool (helper I, issue 10): the ownership events
of ``customer.assign`` / ``customer.transfer`` and the command line's words (tui/cli/manager.py).
The refusals are in ``zh_refusals.py``."""

ZH = {
    # --- why an owner changed (sync/protocol/ownership.py TEMPLATES, I)
    "assigned to {to} from the pool by {who}": "由 {who} 从公海分配给 {to}",
    "transferred from {prev} to {to} by {who}: {note}": "由 {who} 从 {prev} 转给 {to}：{note}",
    "given to {to} from the pool by {who}: {note}": "由 {who} 从公海交给 {to}：{note}",
    # --- operations waiting to sync
    "assignment": "分配",
    "transfer": "转移",
    # --- fieldrep assign / transfer / pool
    "{n} assignments queued; the server decides at the next sync":
        "已排队 {n} 项分配；下次同步时由服务器决定",
    "{n} transfers queued; the server decides at the next sync":
        "已排队 {n} 项转移；下次同步时由服务器决定",
    "{name} stays: {why}": "{name} 保留原处：{why}",
    "no territory of the reps named covers it": "所列销售的辖区都不包含它",
    "no rep named matches its region": "所列销售中没有与其地区相符的",
    "every rep who could take it is at the limit": "能接收它的销售都已达上限",
    "{moved} of {name}'s customers move ({split}); nothing is queued yet: "
    "run it again without --preview":
        "{name} 的客户中有 {moved} 个将转移（{split}）；尚未排队：去掉 --preview 再运行一次",
    "give CUSTOMER or --from REP, not both": "请给出 CUSTOMER 或 --from REP，不要同时给出",
    "name a CUSTOMER, or a rep's whole book with --from REP":
        "请指定一个客户，或用 --from REP 指定某销售的全部客户",
    "--preview and --split are for a book: --from REP": "--preview 和 --split 用于整批转移：--from REP",
    "one customer goes to one rep: --to REP": "一个客户只能转给一名销售：--to REP",
    "no pool customers in your scope on this laptop": "本机上你的范围内没有公海客户",
    "now": "现在",
    "evenly": "平均分配",
    "CITY": "城市",
    "PREVIOUS": "前负责人",
    "CLAIMABLE": "可认领",
    "REP": "销售",
    "BEFORE": "之前",
    "AFTER": "之后",
    "give pool customers to a rep of your team (managers)": "把公海客户分配给团队中的销售（经理）",
    "move a customer, or a rep's whole book, to other reps (managers)":
        "把一个客户或某销售的全部客户转给其他销售（经理）",
    "the pool of your team's territories: why each is there": "团队辖区的公海：每个客户为何在公海",
}
