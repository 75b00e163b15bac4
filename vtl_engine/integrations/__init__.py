"""vtl_engine inside other programs: adapters that put the engine behind an emulator's own
template-engine interface (`vtl_engine.integrations.localstack` for LocalStack), and the moto
drop-in that runs a moto REST API's integrations (`vtl_engine.integrations.moto`)."""
