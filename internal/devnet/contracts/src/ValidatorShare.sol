// SPDX-License-Identifier: MIT
pragma solidity ^0.8.17;

interface IPolygonStakeManagerForShare {
    function epoch() external view returns (uint256);
    function withdrawalDelay() external view returns (uint256);
    function delegatedAmount(uint256 validatorId) external view returns (uint256);
    function delegatorsReward(uint256 validatorId) external view returns (uint256);
    function withdrawDelegatorsReward(uint256 validatorId) external returns (uint256);
    function delegationDepositPOL(uint256 validatorId, uint256 amount, address delegator) external returns (bool);
    function transferFundsPOL(uint256 validatorId, uint256 amount, address delegator) external returns (bool);
    function updateValidatorState(uint256 validatorId, int256 amount) external;
}

// Model of Polygon PoS's ValidatorShare 2.3.0 (0xPolygon/pos-contracts
// contracts/staking/validatorShare/ValidatorShare.sol at ff11f0e0) for the
// stakewallet devnet: one per validator, the delegators' share token. The
// POL paths (buyVoucherPOL, sellVoucher_newPOL, unstakeClaimTokens_newPOL,
// withdrawRewardsPOL, restakePOL, transferPOL) carry the real arithmetic,
// storage views and revert strings; the MATIC variants and permit are left
// out. The events the real system logs through its StakingInfo and
// EventsHub contracts (ShareMinted, ShareBurnedWithId,
// DelegatorUnstakeWithId, DelegatorClaimedRewards, DelegatorRestaked,
// SharesTransfer, same signatures) are emitted by this contract.
contract ValidatorShare {
    struct DelegatorUnbond {
        uint256 shares;
        uint256 withdrawEpoch;
    }

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event ShareMinted(uint256 indexed validatorId, address indexed user, uint256 indexed amount, uint256 tokens);
    event ShareBurnedWithId(uint256 indexed validatorId, address indexed user, uint256 indexed amount, uint256 tokens, uint256 nonce);
    event DelegatorUnstakeWithId(uint256 indexed validatorId, address indexed user, uint256 amount, uint256 nonce);
    event DelegatorClaimedRewards(uint256 indexed validatorId, address indexed user, uint256 indexed rewards);
    event DelegatorRestaked(uint256 indexed validatorId, address indexed user, uint256 indexed totalStaked);
    event SharesTransfer(uint256 indexed validatorId, address indexed from, address indexed to, uint256 value);

    uint256 constant EXCHANGE_RATE_PRECISION = 100;
    uint256 constant EXCHANGE_RATE_HIGH_PRECISION = 10 ** 29;
    uint256 constant REWARD_PRECISION = 10 ** 25;

    IPolygonStakeManagerForShare public stakeManager;
    uint256 public validatorId;
    uint256 public minAmount;
    uint256 public rewardPerShare;
    uint256 public activeAmount;
    bool public delegation = true;
    bool public locked;
    uint256 public withdrawPool;
    uint256 public withdrawShares;
    mapping(address => DelegatorUnbond) public unbonds;
    mapping(address => uint256) public initalRewardPerShare;
    mapping(address => uint256) public unbondNonces;
    mapping(address => mapping(uint256 => DelegatorUnbond)) public unbonds_new;

    uint256 private _totalSupply;
    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;
    address private immutable owner;

    modifier onlyWhenUnlocked() {
        require(!locked, "locked");
        _;
    }

    constructor(uint256 _validatorId, address _stakeManager, bool _locked) {
        validatorId = _validatorId;
        stakeManager = IPolygonStakeManagerForShare(_stakeManager);
        locked = _locked;
        owner = msg.sender;
    }

    // OwnableLockable: the StakeManager locks a jailed validator's shares.
    function lock() external {
        require(msg.sender == owner);
        locked = true;
    }

    function unlock() external {
        require(msg.sender == owner);
        locked = false;
    }

    function name() public view returns (string memory) {
        return string(abi.encodePacked("Delegated POL #", _toHexString(validatorId)));
    }

    function symbol() public view returns (string memory) {
        return string(abi.encodePacked("dPOL", _toHexString(validatorId)));
    }

    function decimals() public pure returns (uint8) { return 18; }
    function version() public pure returns (string memory) { return "2.3.0"; }
    function totalSupply() public view returns (uint256) { return _totalSupply; }
    function balanceOf(address account) public view returns (uint256) { return _balances[account]; }
    function allowance(address o, address spender) public view returns (uint256) { return _allowances[o][spender]; }

    function approve(address spender, uint256 value) public returns (bool) {
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function exchangeRate() public view returns (uint256) {
        uint256 totalShares = totalSupply();
        uint256 precision = _getRatePrecision();
        return totalShares == 0 ? precision : stakeManager.delegatedAmount(validatorId) * precision / totalShares;
    }

    function getTotalStake(address user) public view returns (uint256, uint256) {
        uint256 shares = balanceOf(user);
        uint256 rate = exchangeRate();
        if (shares == 0) {
            return (0, rate);
        }
        return (rate * shares / _getRatePrecision(), rate);
    }

    function withdrawExchangeRate() public view returns (uint256) {
        uint256 precision = _getRatePrecision();
        if (validatorId < 8) {
            return precision;
        }
        uint256 _withdrawShares = withdrawShares;
        return _withdrawShares == 0 ? precision : withdrawPool * precision / _withdrawShares;
    }

    function getLiquidRewards(address user) public view returns (uint256) {
        return _calculateReward(user, getRewardPerShare());
    }

    function getRewardPerShare() public view returns (uint256) {
        return _calculateRewardPerShareWithRewards(stakeManager.delegatorsReward(validatorId));
    }

    function getStakeAndRewards(address user) public view returns (uint256 stakeAmount, uint256 liquidRewards) {
        uint256 shares = balanceOf(user);
        if (shares == 0) {
            return (0, 0);
        }
        stakeAmount = stakeManager.delegatedAmount(validatorId) * shares / totalSupply();
        liquidRewards = getLiquidRewards(user);
    }

    // carefull: this function uses POL
    function transferFrom(address from, address to, uint256 value) public returns (bool) {
        uint256 current = _allowances[from][msg.sender];
        require(current >= value, "ERC20: transfer amount exceeds allowance");
        _allowances[from][msg.sender] = current - value;
        _withdrawAndTransferReward(to, true);
        _withdrawAndTransferReward(from, true);
        _move(from, to, value);
        emit SharesTransfer(validatorId, from, to, value);
        return true;
    }

    function buyVoucherPOL(uint256 _amount, uint256 _minSharesToMint) public returns (uint256 amountToDeposit) {
        _withdrawAndTransferReward(msg.sender, true);
        amountToDeposit = _buyShares(_amount, _minSharesToMint, msg.sender);
        require(stakeManager.delegationDepositPOL(validatorId, amountToDeposit, msg.sender), "deposit failed");
        return amountToDeposit;
    }

    function restakePOL() public returns (uint256, uint256) {
        return _restake(msg.sender);
    }

    function _restake(address user) private returns (uint256, uint256) {
        uint256 liquidReward = _withdrawReward(user);
        uint256 amountRestaked;
        require(liquidReward >= minAmount, "Too small rewards to restake");
        if (liquidReward != 0) {
            amountRestaked = _buyShares(liquidReward, 0, user);
            if (liquidReward > amountRestaked) {
                uint256 change = liquidReward - amountRestaked;
                _payout(change, user, "Insufficent rewards");
            }
        }
        (uint256 totalStaked,) = getTotalStake(user);
        emit DelegatorRestaked(validatorId, user, totalStaked);
        return (amountRestaked, liquidReward);
    }

    function withdrawRewardsPOL() public {
        uint256 rewards = _withdrawAndTransferReward(msg.sender, true);
        require(rewards >= minAmount, "Too small rewards amount");
    }

    function sellVoucher_newPOL(uint256 claimAmount, uint256 maximumSharesToBurn) public {
        (uint256 totalStaked, uint256 rate) = getTotalStake(msg.sender);
        require(totalStaked != 0 && totalStaked >= claimAmount, "Too much requested");
        uint256 precision = _getRatePrecision();
        uint256 shares = claimAmount * precision / rate;
        require(shares <= maximumSharesToBurn, "too much slippage");
        _withdrawAndTransferReward(msg.sender, true);
        _burn(msg.sender, shares);
        stakeManager.updateValidatorState(validatorId, -int256(claimAmount));
        activeAmount = activeAmount - claimAmount;
        uint256 _withdrawPoolShare = claimAmount * precision / withdrawExchangeRate();
        withdrawPool = withdrawPool + claimAmount;
        withdrawShares = withdrawShares + _withdrawPoolShare;

        uint256 unbondNonce = unbondNonces[msg.sender] + 1;
        unbonds_new[msg.sender][unbondNonce] = DelegatorUnbond({shares: _withdrawPoolShare, withdrawEpoch: stakeManager.epoch()});
        unbondNonces[msg.sender] = unbondNonce;
        emit ShareBurnedWithId(validatorId, msg.sender, claimAmount, shares, unbondNonce);
    }

    function unstakeClaimTokens_newPOL(uint256 unbondNonce) public {
        DelegatorUnbond memory unbond = unbonds_new[msg.sender][unbondNonce];
        uint256 shares = unbond.shares;
        require(
            unbond.withdrawEpoch + stakeManager.withdrawalDelay() <= stakeManager.epoch() && shares > 0,
            "Incomplete withdrawal period"
        );
        uint256 _amount = withdrawExchangeRate() * shares / _getRatePrecision();
        withdrawShares = withdrawShares - shares;
        withdrawPool = withdrawPool - _amount;
        _payout(_amount, msg.sender, "Insufficent rewards");
        delete unbonds_new[msg.sender][unbondNonce];
        emit DelegatorUnstakeWithId(validatorId, msg.sender, _amount, unbondNonce);
    }

    function transferPOL(address to, uint256 value) public returns (bool) {
        _withdrawAndTransferReward(to, true);
        _withdrawAndTransferReward(msg.sender, true);
        _move(msg.sender, to, value);
        emit SharesTransfer(validatorId, msg.sender, to, value);
        return true;
    }

    function _getRatePrecision() private view returns (uint256) {
        if (validatorId < 8) {
            return EXCHANGE_RATE_PRECISION;
        }
        return EXCHANGE_RATE_HIGH_PRECISION;
    }

    function _calculateRewardPerShareWithRewards(uint256 accumulatedReward) private view returns (uint256) {
        uint256 _rewardPerShare = rewardPerShare;
        if (accumulatedReward != 0) {
            uint256 totalShares = totalSupply();
            if (totalShares != 0) {
                _rewardPerShare = _rewardPerShare + accumulatedReward * REWARD_PRECISION / totalShares;
            }
        }
        return _rewardPerShare;
    }

    function _calculateReward(address user, uint256 _rewardPerShare) private view returns (uint256) {
        uint256 shares = balanceOf(user);
        if (shares == 0) {
            return 0;
        }
        uint256 _initialRewardPerShare = initalRewardPerShare[user];
        if (_initialRewardPerShare == _rewardPerShare) {
            return 0;
        }
        return (_rewardPerShare - _initialRewardPerShare) * shares / REWARD_PRECISION;
    }

    function _withdrawReward(address user) private returns (uint256) {
        uint256 _rewardPerShare = _calculateRewardPerShareWithRewards(stakeManager.withdrawDelegatorsReward(validatorId));
        uint256 liquidRewards = _calculateReward(user, _rewardPerShare);
        rewardPerShare = _rewardPerShare;
        initalRewardPerShare[user] = _rewardPerShare;
        return liquidRewards;
    }

    function _withdrawAndTransferReward(address user, bool) private returns (uint256) {
        uint256 liquidRewards = _withdrawReward(user);
        if (liquidRewards != 0) {
            _payout(liquidRewards, user, "Insufficent rewards");
            emit DelegatorClaimedRewards(validatorId, user, liquidRewards);
        }
        return liquidRewards;
    }

    function _buyShares(uint256 _amount, uint256 _minSharesToMint, address user) private onlyWhenUnlocked returns (uint256) {
        require(delegation, "Delegation is disabled");
        uint256 rate = exchangeRate();
        uint256 precision = _getRatePrecision();
        uint256 shares = _amount * precision / rate;
        require(shares >= _minSharesToMint, "Too much slippage");
        require(unbonds[user].shares == 0, "Ongoing exit");
        _mint(user, shares);
        _amount = rate * shares / precision;
        stakeManager.updateValidatorState(validatorId, int256(_amount));
        activeAmount = activeAmount + _amount;
        emit ShareMinted(validatorId, user, _amount, shares);
        return _amount;
    }

    function _payout(uint256 amount, address user, string memory message) private {
        require(stakeManager.transferFundsPOL(validatorId, amount, user), message);
    }

    function _mint(address to, uint256 value) private {
        _totalSupply += value;
        _balances[to] += value;
        emit Transfer(address(0), to, value);
    }

    function _burn(address from, uint256 value) private {
        _balances[from] -= value;
        _totalSupply -= value;
        emit Transfer(from, address(0), value);
    }

    function _move(address from, address to, uint256 value) private {
        require(to != address(0), "ERC20: transfer to the zero address");
        require(_balances[from] >= value, "ERC20: transfer amount exceeds balance");
        _balances[from] -= value;
        _balances[to] += value;
        emit Transfer(from, to, value);
    }

    function _toHexString(uint256 value) internal pure returns (string memory) {
        if (value == 0) {
            return "0x00";
        }
        uint256 temp = value;
        uint256 length = 0;
        while (temp != 0) {
            length++;
            temp >>= 8;
        }
        bytes16 symbols = "0123456789abcdef";
        bytes memory buffer = new bytes(2 * length + 2);
        buffer[0] = "0";
        buffer[1] = "x";
        for (uint256 i = 2 * length + 1; i > 1; --i) {
            buffer[i] = symbols[value & 0xf];
            value >>= 4;
        }
        return string(buffer);
    }
}
