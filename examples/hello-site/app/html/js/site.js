// Shows the configured greeting. nginx answers /config.json from its rendered
// configuration (see app/conf/conf.d), so the same files serve every environment.
fetch("config.json", { cache: "no-store" })
  .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status))))
  .then((conf) => {
    document.getElementById("greeting").textContent = conf.greeting;
  })
  .catch(() => { /* keep the built-in greeting */ });
