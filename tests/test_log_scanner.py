import logging

from tests.conftest import PERSONAL_DATA, _LogScanner


def test_scanner_catches_id_numbers_and_phones_but_not_other_numbers():
    scanner = _LogScanner()
    log = logging.getLogger("tests.scanner")
    log.addHandler(scanner)
    log.propagate = False
    try:
        log.warning("member %s saved", "32010219900101123X")
        log.warning("call 13812345678 back")
        log.warning("masked 138****5678 and 3201**********1234, order 20261128000001, id 1234567")
    finally:
        log.removeHandler(scanner)
        log.propagate = True

    assert len(scanner.leaks) == 2
    assert PERSONAL_DATA.search("token abc13812345678def") is None
