import unittest


class Smoke(unittest.TestCase):
    def test_true(self):
        self.assertTrue(True)
