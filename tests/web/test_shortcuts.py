"""The `?` dialog: the app's pages list the app's keys, the share pages their viewer's."""

from __future__ import annotations

from tests.web.conftest import Member, sign_in


async def test_the_shortcuts_dialog_lists_each_shell_s_own_keys(client, alice: Member) -> None:
    await sign_in(client, "alice")
    app_page = (await client.get("/photos/")).text
    assert 'id="shortcuts"' in app_page and "Select the photos along the way" in app_page
    share_page = (await client.get("/s/no-such-link")).text
    assert 'id="shortcuts"' in share_page and "Back to all photos" in share_page
    assert "Select the photos along the way" not in share_page
