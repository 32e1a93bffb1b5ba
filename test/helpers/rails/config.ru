# A minimal ActionCable server (Rails 6.1 as Debian packages it: ruby-actioncable, puma,
# ruby-websocket-driver) for test/engine/rails-cable.test.ts. No Rails app: ActionCable mounted
# at /cable with the async adapter, one channel streaming from "dashboard_updates" like the
# seeds' app, and two helper routes. Run: puma -e production -b tcp://127.0.0.1:PORT config.ru
require "json"
require "logger"
require "action_cable"
require "active_support/core_ext/hash/indifferent_access"

module ApplicationCable
  class Connection < ActionCable::Connection::Base
    # The seeds' app accepts every connection; `?reject=1` exercises reject_unauthorized_connection.
    def connect
      reject_unauthorized_connection if request.params["reject"] == "1"
    end
  end
end

class DashboardUpdatesChannel < ActionCable::Channel::Base
  def subscribed
    stream_from "dashboard_updates"
  end
end

logger = Logger.new($stderr)
logger.level = ENV.fetch("CABLE_LOG_LEVEL", "warn")

ActionCable.server.config.tap do |config|
  # CABLE_REDIS_URL: the redis adapter, as a Rails app's cable.yml sets it (with a channel_prefix
  # when CABLE_CHANNEL_PREFIX is set); otherwise in-process.
  config.cable = if ENV["CABLE_REDIS_URL"]
    # Indifferent access, as Rails' engine hands cable.yml over: the adapter reads "adapter" by
    # string and :channel_prefix by symbol.
    {"adapter" => "redis", "url" => ENV["CABLE_REDIS_URL"], "channel_prefix" => ENV["CABLE_CHANNEL_PREFIX"]}.compact.with_indifferent_access
  else
    {"adapter" => "async"}
  end
  config.connection_class = -> { ApplicationCable::Connection }
  config.logger = logger
  # Only these origins; no same-origin shortcut, so a foreign Origin is refused deterministically.
  config.allow_same_origin_as_host = false
  config.allowed_request_origins = [%r{\Ahttps?://(127\.0\.0\.1|localhost)(:\d+)?\z}]
  config.worker_pool_size = 4
end

map "/cable" do
  run ActionCable.server
end

# POST or GET /broadcast?n=N: one broadcast like the seeds' TestPubsubJob, with sent_at in ms.
map "/broadcast" do
  run(lambda do |env|
    n = Rack::Request.new(env).params.fetch("n", "1").to_i
    ActionCable.server.broadcast("dashboard_updates", {
      "type" => "test_update", "message" => "broadcast #{n}", "random_value" => n,
      "sent_at" => (Time.now.to_f * 1000).round,
    })
    [200, {"Content-Type" => "text/plain"}, ["OK"]]
  end)
end

map "/health" do
  run ->(_env) { [200, {"Content-Type" => "text/plain"}, ["OK"]] }
end
