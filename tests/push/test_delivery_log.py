"""The coordinators' delivery log: their centre's notifications, and nobody else's."""

import re

from volunteers.extensions import db
from volunteers.push import services


def test_coordinators_see_their_centres_notifications_with_their_deliveries(
    make_centre, make_user, client, login, subscribe, push_service, run_worker
):
    home, other = make_centre("heimat"), make_centre("nachbar")
    coordinator = make_user("coordinator", home)
    volunteer = make_user("volunteer", home, name="Amira Haddad")
    stranger = make_user("volunteer", other, name="Fremde Person")
    subscribe(volunteer, "phone")
    for user, centre in ((volunteer, home), (stranger, other)):
        services.queue_notification(
            user=user,
            centre=centre,
            kind="reminder",
            title="Erinnerung: Sprachcafé",
            body="Morgen 10 Uhr",
            url="/me/shifts",
        )
    services.queue_notification(user=coordinator, kind="test", title="Test", body="", url="/settings")
    db.session.commit()
    run_worker()
    login(user=coordinator)
    response = client.get("/centres/heimat/notifications")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Amira Haddad" in page and "Erinnerung" in page and "gesendet" in page
    assert "zugestellt (201)" in page and "127.0.0.1" in page
    assert "Fremde Person" not in page and "Testnachricht" not in page
    assert "/wpush/" not in page and "Morgen 10 Uhr" not in page  # no endpoints, no contents
    assert re.search(r"<caption[^>]*>", page) and 'scope="col"' in page and 'scope="row"' in page


def test_the_log_of_another_centre_is_404(make_centre, client, login):
    make_centre("heimat")
    login("coordinator", make_centre("nachbar"))
    assert client.get("/centres/heimat/notifications").status_code == 404
    assert client.get("/centres/nachbar/notifications").status_code == 200


def test_volunteers_and_strangers_do_not_see_the_log(make_centre, client, login):
    home = make_centre("heimat")
    assert client.get("/centres/heimat/notifications").status_code == 302  # to the login
    login("volunteer", home)
    assert client.get("/centres/heimat/notifications").status_code == 404
