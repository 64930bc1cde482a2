"""What the evaluation does when booking tells it something (booking never imports evaluation)."""

import logging

from . import services

logger = logging.getLogger(__name__)


def open_rating_window(sender, booking_id: int, **kwargs) -> None:
    """``booking.signals.lecture_delivered`` (sent after commit): open the lecture's rating window.

    The delivery is already committed; a failure here must not turn the delivery's answer into an
    error, so it is logged and the hourly catch-up (``rating_windows_catch_up``) opens the window.
    """
    try:
        services.rating_window_open(booking_id=booking_id)
    except Exception:
        logger.exception("rating window of booking %s not opened; the hourly catch-up will retry", booking_id)
