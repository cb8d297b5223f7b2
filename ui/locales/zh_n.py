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
