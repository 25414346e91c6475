// /docs: the API token is typed here, kept in memory and sent only as an Authorization header.
(function () {
  "use strict";
  var form = document.getElementById("token-form");
  var error = document.getElementById("token-error");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var token = document.getElementById("token").value.trim();
    var bearer = "Bearer " + token;
    fetch("/openapi.json", { headers: { Authorization: bearer }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (spec) {
        error.textContent = "";
        form.hidden = true;
        window.SwaggerUIBundle({
          spec: spec,
          dom_id: "#swagger-ui",
          validatorUrl: null,  // never ask an outside validator about our API
          requestInterceptor: function (request) {
            request.headers.Authorization = bearer;
            return request;
          }
        });
      })
      .catch(function () {
        error.textContent = "令牌不正确，或后台暂时不可用。";
      });
  });
})();
