"""Demo data: the four centres named in the background articles, with plausible meeting points.
Addresses of the centres follow the articles; meeting points are invented but realistic."""

DEMO_PASSWORD = "treffpunkt-demo"  # nosec B105: the published demo password of the spec

CENTRES = [
    {"slug": "duesseldorf", "name": "Kommunales Integrationszentrum Düsseldorf",
     "district": "Landeshauptstadt Düsseldorf", "is_district_free_city": True, "regierungsbezirk": "Düsseldorf",
     "street": "Berthe-von-Suttner-Platz 1", "postcode": "40227", "city": "Düsseldorf"},
    {"slug": "siegen-wittgenstein", "name": "Kommunales Integrationszentrum Kreis Siegen-Wittgenstein",
     "district": "Kreis Siegen-Wittgenstein", "is_district_free_city": False, "regierungsbezirk": "Arnsberg",
     "street": "Koblenzer Straße 73 (Kreishaus)", "postcode": "57072", "city": "Siegen"},
    {"slug": "duisburg", "name": "Kommunales Integrationszentrum Duisburg",
     "district": "Stadt Duisburg", "is_district_free_city": True, "regierungsbezirk": "Düsseldorf",
     "street": "Flachsmarkt 15", "postcode": "47051", "city": "Duisburg"},
    {"slug": "hochsauerlandkreis", "name": "Kommunales Integrationszentrum Hochsauerlandkreis",
     "district": "Hochsauerlandkreis", "is_district_free_city": False, "regierungsbezirk": "Arnsberg",
     "street": "Steinstraße 27 (Kreishaus)", "postcode": "59872", "city": "Meschede"},
]

MEETING_POINTS = {
    "duesseldorf": [
        {"name": "Treffpunkt Oberbilk im Stadtteilzentrum", "municipality": "Düsseldorf",
         "street": "Kölner Straße 265", "postcode": "40227", "city": "Düsseldorf",
         "latitude": 51.2131, "longitude": 6.7982, "languages": ["de", "ar", "fa", "tr"],
         "opening_notes": "Di und Do 15–19 Uhr, Sa 10–14 Uhr. Eingang über den Hof.", "default_baustein": "A"},
        {"name": "Sprachcafé Flingern in der Bücherei", "municipality": "Düsseldorf",
         "street": "Hoffeldstraße 61", "postcode": "40235", "city": "Düsseldorf",
         "latitude": 51.2297, "longitude": 6.8083, "languages": ["de", "uk", "ru"],
         "opening_notes": "Mi 16–18 Uhr; barrierefreier Zugang über den Seiteneingang.", "default_baustein": "B"},
        {"name": "Ankommenstreffpunkt Garath, Freizeitstätte", "municipality": "Düsseldorf",
         "street": "Fritz-Erler-Straße 21", "postcode": "40595", "city": "Düsseldorf",
         "latitude": 51.1376, "longitude": 6.8974, "languages": ["de", "ar", "ti", "ku"],
         "opening_notes": "Mo und Fr 14–18 Uhr, Kinderbetreuung vor Ort.", "default_baustein": "A"},
    ],
    "siegen-wittgenstein": [
        {"name": "Ankommenstreffpunkt Siegen-Mitte", "municipality": "Siegen",
         "street": "Sandstraße 54", "postcode": "57072", "city": "Siegen",
         "latitude": 50.8749, "longitude": 8.0241, "languages": ["de", "ar", "fa"],
         "opening_notes": "Di 10–13 Uhr, Do 15–18 Uhr.", "default_baustein": "A"},
        {"name": "Begegnungscafé Bad Berleburg", "municipality": "Bad Berleburg",
         "street": "Poststraße 42", "postcode": "57319", "city": "Bad Berleburg",
         "latitude": 51.0523, "longitude": 8.3921, "languages": ["de", "uk", "ru"],
         "opening_notes": "Jeden zweiten Samstag 10–13 Uhr.", "default_baustein": "B"},
        {"name": "Treffpunkt Kreuztal im Bürgerhaus", "municipality": "Kreuztal",
         "street": "Siegener Straße 5", "postcode": "57223", "city": "Kreuztal",
         "latitude": 50.9620, "longitude": 7.9886, "languages": ["de", "ar", "tr", "ku"],
         "opening_notes": "Mi 16–19 Uhr.", "default_baustein": "A"},
    ],
    "duisburg": [
        {"name": "Ankommenstreffpunkt Marxloh", "municipality": "Duisburg",
         "street": "Weseler Straße 120", "postcode": "47169", "city": "Duisburg",
         "latitude": 51.5009, "longitude": 6.7800, "languages": ["de", "ar", "bg", "ro", "tr"],
         "opening_notes": "Mo–Do 14–18 Uhr.", "default_baustein": "A"},
        {"name": "Internationales Frauencafé Hochfeld", "municipality": "Duisburg",
         "street": "Wanheimer Straße 162", "postcode": "47053", "city": "Duisburg",
         "latitude": 51.4225, "longitude": 6.7610, "languages": ["de", "ar", "fa", "so"],
         "opening_notes": "Fr 9–12 Uhr, nur für Frauen, mit Kinderbetreuung.", "default_baustein": "B"},
    ],
    "hochsauerlandkreis": [
        {"name": "Ankommenstreffpunkt Meschede", "municipality": "Meschede",
         "street": "Le-Puy-Straße 10", "postcode": "59872", "city": "Meschede",
         "latitude": 51.3504, "longitude": 8.2834, "languages": ["de", "ar", "uk"],
         "opening_notes": "Di 15–18 Uhr.", "default_baustein": "A"},
        {"name": "Treffpunkt Winterberg im Familienzentrum", "municipality": "Winterberg",
         "street": "Am Waltenberg 11", "postcode": "59955", "city": "Winterberg",
         "latitude": 51.1939, "longitude": 8.5323, "languages": ["de", "uk", "ru"],
         "opening_notes": "Do 16–18 Uhr. Lange Anfahrt: Fahrgemeinschaften ab Meschede möglich.",
         "default_baustein": "A"},
        {"name": "Sport und Begegnung Arnsberg-Neheim", "municipality": "Arnsberg",
         "street": "Graf-Gottfried-Straße 20", "postcode": "59755", "city": "Arnsberg",
         "latitude": 51.4503, "longitude": 7.9619, "languages": ["de", "ar", "ti", "fa"],
         "opening_notes": "Sa 10–12 Uhr mit dem Kreissportbund.", "default_baustein": "B"},
    ],
}

# The accounts of the specification, plus a lead and a coordinator for every other centre.
DEMO_ACCOUNTS = [
    {"email": "lead@duesseldorf.example", "name": "Aylin Demir", "role": "lead", "centre": "duesseldorf"},
    {"email": "koordination@duesseldorf.example", "name": "Jonas Becker", "role": "coordinator",
     "centre": "duesseldorf"},
    {"email": "ehrenamt@example.org", "name": "Maria Schneider", "role": "volunteer", "centre": "duesseldorf"},
    {"email": "land@nrw.example", "name": "Landesweite Koordinierungsstelle", "role": "state"},
    {"email": "admin@treffpunkt.example", "name": "Betrieb Treffpunkt", "role": "admin"},
    {"email": "lead@siegen-wittgenstein.example", "name": "Thomas Klein", "role": "lead",
     "centre": "siegen-wittgenstein"},
    {"email": "koordination@siegen-wittgenstein.example", "name": "Sabine Jung", "role": "coordinator",
     "centre": "siegen-wittgenstein"},
    {"email": "lead@duisburg.example", "name": "Mehmet Yıldız", "role": "lead", "centre": "duisburg"},
    {"email": "koordination@duisburg.example", "name": "Laura Hoffmann", "role": "coordinator",
     "centre": "duisburg"},
    {"email": "lead@hochsauerlandkreis.example", "name": "Eva Keller", "role": "lead",
     "centre": "hochsauerlandkreis"},
    {"email": "koordination@hochsauerlandkreis.example", "name": "Andreas Hofmann", "role": "coordinator",
     "centre": "hochsauerlandkreis"},
]

# Volunteers, many of whom came to Germany themselves.
VOLUNTEER_NAMES = [
    "Anna Weber", "Yusuf Al-Hassan", "Olena Kovalenko", "Peter Wagner", "Fatemeh Rahimi",
    "Lukas Fischer", "Amal Haddad", "Ingrid Schulz", "Dawit Tesfaye", "Sophie Meyer",
    "Kateryna Bondar", "Hans-Jürgen Krause", "Leyla Aydın", "Nadia Karimi", "Michael Braun",
    "Rasha Mansour", "Claudia Richter", "Serhii Melnyk", "Hevin Ali", "Gabriele Wolf",
    "Tesfay Gebremedhin", "Julia Neumann", "Ahmad Noori", "Petra Zimmermann",
]
