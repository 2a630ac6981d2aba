// Starts the vendored rasa-webchat widget against this server's socketio channel.
// The conversation state is kept in localStorage, and the widget sends its session id
// on reconnect, so a reload continues the same Rasa conversation.
window.WebChat.default(
  {
    selector: "#chat",
    initPayload: "/greet",
    socketUrl: window.location.origin,
    socketPath: "/socket.io/",
    embedded: true,
    title: "IMG advisor",
    subtitle: "Residency Match strategy",
    inputTextFieldHint: "Ask a question, e.g. how many programs for IM?",
    showMessageDate: false,
    params: { storage: "local" },
    // The widget's default delay grows with each message's length: slow for long advice.
    customMessageDelay: () => 300,
  },
  null
);
