// Until `initialize` arrives, LSP allows nothing but `initialize` and `exit`:
// any other request is answered with ServerNotInitialized (-32002) and any
// other notification is dropped. vscode-languageserver does not enforce this,
// so without the gate a request before `initialize` would get an empty answer
// that looks like a real one.

import {
  ErrorCodes,
  Message,
  type DataCallback,
  type Disposable,
  type MessageReader,
  type MessageWriter,
  type ResponseMessage,
} from 'vscode-languageserver/node';

/** `log` must not write to the connection: before `initialize` the server may send nothing but responses. */
export function gateUntilInitialized(reader: MessageReader, writer: MessageWriter, log: (message: string) => void): MessageReader {
  let initialized = false;
  return {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    dispose: () => reader.dispose(),
    listen(callback: DataCallback): Disposable {
      return reader.listen((message) => {
        if (!initialized) {
          if (Message.isRequest(message)) {
            if (message.method === 'initialize') {
              initialized = true;
            } else {
              log(`request ${message.method} before initialize: answered with ServerNotInitialized`);
              const response: ResponseMessage = {
                jsonrpc: '2.0',
                id: message.id,
                error: { code: ErrorCodes.ServerNotInitialized, message: `the server is not initialized: send 'initialize' before '${message.method}'` },
              };
              void writer.write(response);
              return;
            }
          } else if (Message.isNotification(message) && message.method !== 'exit') {
            log(`notification ${message.method} before initialize: dropped`);
            return;
          }
        }
        callback(message);
      });
    },
  };
}
