"""Chinese for the dashboard."""

ZH = {
    "Refresh": "刷新",
    "Compute the figures again from the local store": "从本地数据重新计算数字",
    "Figures updated": "数字已更新",
    "{name} — week of {week} · {month}": "{name} — {week} 这一周 · {month}",
    "Goals this period": "本期目标",
    "Goal": "目标",
    "Target": "目标值",
    "Actual": "实际",
    "Progress": "进度",
    "Visits this week": "本周拜访",
    "A customers seen in cadence": "A 类客户按期拜访",
    "New customers this month": "本月新客户",
    "Revenue this month": "本月收入",
    "Satisfaction this month": "本月满意度",
    "no A customers": "没有 A 类客户",
    "no scores yet": "暂无评分",
    "Visits per day (last 14 days)": "每日拜访（近 14 天）",
    "Pipeline by stage (your customers)": "各阶段客户（你的客户）",
    "Satisfaction by month": "每月满意度",
    "total": "合计",
}
