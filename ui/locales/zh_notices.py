"""Notices (sync.protocol.words.Notice): a damaged file set aside, a folder others can read, a
login that would mix two reps' work."""

ZH = {
    "fieldrep: note: {notice}": "fieldrep：提示：{notice}",
    "fieldrep: warning: {warning}": "fieldrep：警告：{warning}",
    "The territory snapshot was damaged ({why}); it was moved to {moved} and will be rebuilt by "
    "the next sync; what fits is shown until then. Your own pending work is not affected.":
        "辖区快照已损坏（{why}），已移到 {moved}，下次同步时重建；在此之前显示尚可读取的部分。"
        "你自己待同步的工作不受影响。",
    "The territory snapshot was damaged ({why}); it was moved to {moved} and will be rebuilt by "
    "the next sync. Your own pending work is not affected.":
        "辖区快照已损坏（{why}），已移到 {moved}，下次同步时重建。你自己待同步的工作不受影响。",
    "The synced-history file was damaged ({why}); it was moved to {moved} and will be fetched "
    "again by the next sync.":
        "已同步的历史文件已损坏（{why}），已移到 {moved}，下次同步时重新获取。",
    "{what} could not be read ({error}); it was moved to {moved}.":
        "{what}无法读取（{error}），已移到 {moved}。",
    "Saved drafts": "已保存的草稿",
    "The login session": "登录信息",
    "The sync log": "同步记录",
    "An unfinished first sync was damaged; it will start again.":
        "未完成的首次同步已损坏，将重新开始。",
    "Your journal of unsynced work was damaged ({why}). It was moved to {moved}. Pending changes "
    "recovered from it, which will sync: {n}. If something you saved is missing, run "
    "`fieldrep import-outbox {moved}` (changes already recovered are not added twice).":
        "你未同步工作的日志已损坏（{why}），已移到 {moved}。从中恢复并将同步的改动：{n} 项。"
        "如果有保存过的内容缺失，请运行 `fieldrep import-outbox {moved}`（已恢复的改动不会重复添加）。",
    "your data folder {home} is readable by other users of this computer (mode {mode}): run "
    "`chmod 700 {home}` to keep it private":
        "你的数据文件夹 {home} 可被这台电脑的其他用户读取（权限 {mode}）：运行 `chmod 700 {home}` "
        "使其保持私密",
    # a login that would send one rep's unsynced work under another's name (sync/engine.py)
    "this laptop holds unsynced work of {rep} (waiting to sync: {n}): sync it first, or move it "
    "with fieldrep export-outbox FILE before logging in as someone else":
        "这台电脑上有 {rep} 尚未同步的工作（待同步：{n} 项）：请先同步，或在以他人身份登录前用 "
        "fieldrep export-outbox FILE 移出",
}
