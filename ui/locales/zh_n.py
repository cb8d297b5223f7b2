"""Chinese for the complaints board's and the book transfer's words (helper N, issue 10)."""

ZH = {
    "ASSIGNED": "处理人",
    "respond to, resolve or assign a complaint": "回复、解决或指派一条投诉",
    "a manager gives a complaint to a rep of the team": "经理把投诉交给团队中的一位销售",
    "the rep's name or id": "销售的姓名或 ID",
    "the complaint of {name} given to {rep}; the server decides at the next sync":
        "{name} 的投诉已交给 {rep}；下次同步时由服务器决定",
    "none of {name}'s customers can move to the reps named": "{name} 的客户都不能转给所列的销售",
}

ZH.update({
    # --- the complaints board (7)
    "Complaints": "投诉",
    "Open for": "已开",
    "Respond by": "回复期限",
    "Resolve by": "解决期限",
    "Assigned": "处理人",
    "Complaint": "投诉内容",
    "Assign": "指派",
    "Respond": "回复",
    "Resolved too": "含已解决",
    "Give this complaint to a rep of the team": "把这条投诉交给团队中的一位销售",
    "Add a response; the first one meets the SLA's first response":
        "添加回复；第一条回复计入时效的首次回复",
    "Resolve it with what was done; the owner gets a satisfaction re-visit":
        "写明处理结果并解决；客户负责人会收到一次满意度回访",
    "Open the customer of this complaint": "打开这条投诉的客户",
    "Show the resolved complaints too, or only the open ones": "也显示已解决的投诉，或只显示未结的",
    "{n} open complaints": "{n} 条未结投诉",
    "{n} past their SLA": "{n} 条已超时效",
    "oldest first": "最早的在前",
    "No open complaints in the team": "团队没有未结投诉",
    "{n} resolved": "{n} 条已解决",
    "No complaint selected": "没有选中投诉",
    "This complaint is resolved": "这条投诉已解决",
    "No rep in the team to give it to": "团队里没有可以交给的销售",
    "The complaint of {name} goes to {rep}: the server decides at sync":
        "{name} 的投诉交给 {rep}：同步时由服务器决定",
    "Cannot assign": "无法指派",
    "Who works the complaint of {name}?": "{name} 的投诉由谁处理？",
    "a number or enter gives it · esc leaves it": "按数字或回车指派 · esc 不变",
    "Response queued: will sync": "回复已排队：将同步",
    "Cannot respond": "无法回复",
    "Cannot resolve": "无法处理",
    "Respond to the complaint of {name}": "回复 {name} 的投诉",
    "What did you do or tell the customer?": "你做了什么或对客户说了什么？",
    "Write the response first": "请先写回复",
    "enter or ctrl+s saves · esc leaves it": "回车或 ctrl+s 保存 · esc 不变",
    "Only a manager or an admin has this screen; you are logged in as a rep":
        "这是经理或管理员的页面；你是以销售身份登录的",
    "The team's open complaints, oldest first, with the SLA": "团队的未结投诉，最早的在前，含时效",
    # --- the picker
    "Pick one": "选择一项",
    "Next choice": "下一项",
    "Previous choice": "上一项",
    "Pick nothing": "不选",
})
