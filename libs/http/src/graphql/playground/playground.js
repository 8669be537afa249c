/*
 * Boots GraphiQL for the engine's /graphql (served by playground.routes.ts, no inline script:
 * the page's CSP allows scripts from the engine only). The bearer token is entered once in the
 * bar above the editor and kept in this browser's localStorage; every request, subscriptions
 * included, carries it as `Authorization: Bearer <token>`.
 */
(function () {
  'use strict';
  var TOKEN_KEY = 'wf.graphql.token';
  var body = document.body;
  var endpoint = new URL(body.getAttribute('data-endpoint'), window.location.href).toString();
  var streamEndpoint = new URL(body.getAttribute('data-stream'), window.location.href).toString();
  var form = document.getElementById('wf-token-form');
  var input = document.getElementById('wf-token');
  var state = document.getElementById('wf-token-state');
  var forget = document.getElementById('wf-token-forget');

  function token() {
    try {
      return window.localStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  }

  function authorization() {
    var t = token();
    return t ? { Authorization: 'Bearer ' + t } : {};
  }

  function showState() {
    var t = token();
    state.textContent = t ? 'Token saved (…' + t.slice(-6) + ')' : 'No token: requests will be refused (401)';
    forget.hidden = !t;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var value = input.value.trim().replace(/^Bearer\s+/i, '');
    if (value) window.localStorage.setItem(TOKEN_KEY, value);
    input.value = '';
    showState();
  });
  forget.addEventListener('click', function () {
    window.localStorage.removeItem(TOKEN_KEY);
    showState();
  });
  showState();

  var GraphQL = window.GraphiQL.GraphQL;
  var sse = window.graphqlSse.createClient({ url: streamEndpoint, singleConnection: false, retryAttempts: 0, headers: authorization });

  function isSubscription(params) {
    try {
      var operation = GraphQL.getOperationAST(GraphQL.parse(params.query), params.operationName || undefined);
      return Boolean(operation) && operation.operation === 'subscription';
    } catch {
      return false;
    }
  }

  function fetcher(params, options) {
    if (isSubscription(params)) return sse.iterate(params);
    var headers = Object.assign({}, (options && options.headers) || {}, authorization(), {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
    });
    return window
      .fetch(endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params), credentials: 'omit' })
      .then(function (response) {
        return response.json();
      });
  }

  var root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(window.React.createElement(window.GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: false }));
})();
