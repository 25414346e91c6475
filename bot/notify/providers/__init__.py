"""Providers deliver one notice on one channel: SMS (Alibaba Cloud), WeChat (template message), web chat."""
