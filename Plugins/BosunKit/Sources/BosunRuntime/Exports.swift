// `import BosunRuntime` is all a controller author writes: the API types, the store's option
// types and swift-log's `Logger` come with it. Logging in particular must come from here: the
// SDK is a shared library carrying its own copy of swift-log, and a plugin that linked another
// copy would get loggers the host's handlers never see.
@_exported import BosunKit
@_exported import BosunStore
@_exported import Logging
