"use strict";
// A session cookie that is still alive makes the auth backend demand its CSRF token on this
// POST, so ask for it first; the server then replaces that session with a fresh one.
document.getElementById("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const headers = {};
    const session = await fetch("/admin/session", { credentials: "same-origin" });
    if (session.ok) {
      const { csrf } = await session.json();
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers,
      credentials: "same-origin",
    });
    if (response.redirected && new URL(response.url).pathname === "/admin") {
      window.location.assign("/admin");
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const alert = page.querySelector(".alert");
    let shown = document.querySelector(".alert");
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "alert";
      shown.setAttribute("role", "alert");
      form.before(shown);
    }
    shown.textContent = alert ? alert.textContent : "Sign-in failed; try again.";
    form.querySelector("#password").value = "";
  } catch {
    form.submit();
  } finally {
    button.disabled = false;
  }
});
