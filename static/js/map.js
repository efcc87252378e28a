// One marker on a Leaflet map, only when an admin configured a tile server (PHOTONIX_MAP_TILE_URL).
// If tiles fail, the card below the map still names the place and its coordinates.
(function () {
  var box = document.getElementById("map");
  if (!box || !window.L) return;
  var at = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
  var map = L.map(box, { scrollWheelZoom: false }).setView(at, 12);
  L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: "© OpenStreetMap contributors" }).addTo(map);
  L.marker(at).addTo(map);
})();
