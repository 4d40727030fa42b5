# Alarms of the checkout service.

variable "service" {
  type    = string
  default = "checkout"
}

resource "aws_cloudwatch_metric_alarm" "checkout_5xx" {
  alarm_name          = "checkout-5xx"
  alarm_description   = "Checkout returns 5xx. Runbook: https://wiki.example.com/runbooks/checkout#diagnosis-steps"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
  tags = {
    severity = "critical"
    service  = "checkout"
  }
}

resource "datadog_monitor" "payments_errors" {
  name    = "Payments error rate"
  type    = "metric alert"
  query   = "sum(last_5m):sum:payments.errors{env:prod}.as_count() > 10"
  message = <<-EOT
    Payments fail for {{host.name}}.
    [Runbook](https://wiki.example.com/runbooks/payments#diagnosis-steps)
    @pagerduty-payments
  EOT
  priority = 2
  tags     = ["team:payments", "service:payments"]
}

resource "grafana_rule_group" "checkout" {
  name             = "checkout"
  folder_uid       = grafana_folder.services.uid
  interval_seconds = 60

  rule {
    name      = "Checkout stalled (terraform)"
    condition = "B"
    for       = "5m"

    data {
      ref_id         = "A"
      datasource_uid = "prometheus"
      relative_time_range {
        from = 600
        to   = 0
      }
      model = jsonencode({
        expr  = "sum(rate(orders_total{service=\"checkout\"}[5m])) == 0"
        refId = "A"
      })
    }

    labels = {
      severity = "warning"
    }
    annotations = {
      summary     = "No orders"
      runbook_url = "runbooks/{{ $labels.service }}#rollback"
    }
  }
}

resource "google_monitoring_alert_policy" "checkout_uptime" {
  display_name = "Checkout uptime"
  combiner     = "OR"
  severity     = "CRITICAL"
  conditions {
    display_name = "Uptime check failed"
    condition_threshold {
      filter          = "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "300s"
    }
  }
  documentation {
    content   = "Checkout is down for users. Runbook: runbooks/${var.service}#diagnosis-steps"
    mime_type = "text/markdown"
  }
}
