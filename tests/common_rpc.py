from odoo.tests import HttpCase, JsonRpcException
from odoo.tools import mute_logger

from .common import FollowupCommon


class FollowupRpcCommon(FollowupCommon, HttpCase):
    """Attacks as a logged-in user makes them: JSON-RPC calls to
    /web/dataset/call_kw, any public method of any model, with the user's
    session. The server of HttpCase runs in another thread: dates are
    relative to today instead of frozen."""

    def _rpc(self, login, model, method, *args, **kwargs):
        """Call ``model.method(*args, **kwargs)`` over JSON-RPC as ``login``
        (a user of ``new_test_user``: its password is its login, padded)."""
        self.authenticate(login, login + "x" * (8 - len(login)))
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _rpc_error(self, login, model, method, *args, **kwargs):
        """The error a refused call answers (its exception's class name), or
        None when the call went through."""
        try:
            with mute_logger("odoo.http"):
                self._rpc(login, model, method, *args, **kwargs)
        except JsonRpcException as error:
            return str(error)
        return None
