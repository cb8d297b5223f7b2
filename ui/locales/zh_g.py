"""Chinese lines of helper G (issue 16's small words): a conflict path's list item in
full-width brackets, as every bracket on a Chinese screen is (screens/conflict_detail.py)."""

ZH = {
    # a conflict's path names a list's record by its name: contacts[Nina Tanaka].phone
    "[{item}]": "（{item}）",
}
