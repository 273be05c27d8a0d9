// Bootstraps GraphiQL. It lives in a file rather than inline in the page so
// that the Content-Security-Policy can restrict scripts to 'self'.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  // createFetcher uses fetch with its default credentials mode, "same-origin",
  // so session cookies are sent to a same-origin endpoint.
  var fetcher = GraphiQL.createFetcher({ url: root.dataset.endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, { fetcher: fetcher })
  );
})();
