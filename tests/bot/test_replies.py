"""The bot's lasting replies, remembered per member message so that they go when it is deleted."""

from bot.replies import RepliesTo


def test_replies_go_with_their_message_once_and_the_oldest_are_forgotten() -> None:
    replies = RepliesTo(keep=2)
    replies.remember("tg:-1", "10", "11")
    replies.remember("tg:-1", "10", "12")  # an answer and then an acknowledgement
    replies.remember("tg:-2", "10", "13")  # the same message number in another chat
    assert replies.taken_along("tg:-1", ["9", "10"]) == ["11", "12"]
    assert replies.taken_along("tg:-1", ["10"]) == []  # deleted once
    replies.remember("tg:-1", "20", "21")
    replies.remember("tg:-1", "30", "31")  # over `keep`: the oldest message is forgotten
    assert replies.taken_along("tg:-2", ["10"]) == []
    assert replies.taken_along("tg:-1", ["20", "30"]) == ["21", "31"]
