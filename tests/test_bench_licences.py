"""The licence benchmark's own parts: reading ``openssl speed`` and the SM2 timing loop
(the benchmark itself runs with ``python -m bench licences``, not in the test suite)."""

from bench import licences

MACHINE_READABLE = """\
+DTP:256:sign:CurveSM2:1
+R10:1879:256:CurveSM2:0.99
+DTP:256:verify:CurveSM2:1
+R11:2842:256:CurveSM2:0.93
+F7:0:256:CurveSM2:1897.979798:3055.913978
"""

TABLE = """\
version: 3.0.22
options: bn(64,64)
                              sign    verify    sign/s verify/s
 256 bits SM2 (CurveSM2)   0.0004s   0.0003s   2539.2   3265.7
"""


def test_parses_both_output_formats_of_openssl_speed():
    assert licences.parse_openssl_speed(MACHINE_READABLE) == (1897.979798, 3055.913978)
    assert licences.parse_openssl_speed(TABLE) == (2539.2, 3265.7)
    assert licences.parse_openssl_speed("Unknown algorithm sm2\n") is None
    # An ECDSA line is not mistaken for SM2.
    ecdsa = "+F4:0:256:nistp256:30000.0:10000.0\n"
    assert licences.parse_openssl_speed(ecdsa) is None


def test_reads_this_machines_openssl():
    figures, note = licences.openssl_speed(1)
    assert figures is not None, note
    assert all(value > 0 for value in figures) and "OpenSSL" in note


def test_sm2_rates_sign_and_verify_and_the_precomputed_z_matches():
    documents = ['{"identifier":"1.2.156.3005.2.x","data":{"家庭人口":"3"}}'.encode()] * 3
    rates = licences.sm2_rates(documents, 0.05)  # exits if a signature does not verify
    assert set(rates) == {"sign", "verify", "library_sign"}
    assert all(value > 0 for value in rates.values())
